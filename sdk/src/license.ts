import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { LicensePayload, splitLicense } from '@flotilla/protocol';

export type LicenseCheck =
  | { valid: true; payload: LicensePayload; /** Past `expiresAt` at `now`: the signature holds, the license has lapsed. */ expired: boolean }
  | { valid: false; reason: 'malformed' | 'bad-signature' | 'bad-payload' };

/**
 * Verifies a Flotilla license offline: `base64url(payload JSON).base64url(Ed25519 signature)`, the
 * signature over the first part's ASCII bytes, against the vendor's public key (the SPKI PEM of
 * `GET /licenses/public-key`, or a KeyObject). An expired license is valid with `expired: true`:
 * what it means is the application's choice.
 */
export function verifyLicense(license: string, publicKey: string | KeyObject, now = new Date()): LicenseCheck {
  const parts = splitLicense(license);
  if (!parts) return { valid: false, reason: 'malformed' };
  const key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey;
  if (!verify(null, Buffer.from(parts.payload), key, Buffer.from(parts.signature, 'base64url'))) return { valid: false, reason: 'bad-signature' };
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(parts.payload, 'base64url').toString('utf8'));
  } catch {
    return { valid: false, reason: 'bad-payload' };
  }
  const payload = LicensePayload.safeParse(json);
  if (!payload.success) return { valid: false, reason: 'bad-payload' };
  const expired = payload.data.expiresAt !== null && Date.parse(payload.data.expiresAt) <= now.getTime();
  return { valid: true, payload: payload.data, expired };
}

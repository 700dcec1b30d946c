import { createPrivateKey, generateKeyPairSync, sign } from 'node:crypto';
import type { LicensePayload } from '@flotilla/protocol';

/** A vendor's key pair as stored: PEM texts, the private one PKCS#8, encrypted when a passphrase is given. */
export interface StoredKeyPair {
  publicKey: string;
  privateKey: string;
  encrypted: boolean;
}

/** Pure (no I/O): a new Ed25519 key pair; the private key encrypted with AES-256 under `passphrase` when there is one. */
export function generateKeyPair(passphrase: string | undefined): StoredKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519', {
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: passphrase ? { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase } : { type: 'pkcs8', format: 'pem' },
  });
  return { publicKey, privateKey, encrypted: passphrase !== undefined };
}

/**
 * The license text: `base64url(JSON payload) + "." + base64url(Ed25519 signature of the first part's
 * ASCII bytes)`. Throws when the key is encrypted and the passphrase is missing or wrong.
 */
export function signLicense(payload: LicensePayload, keys: StoredKeyPair, passphrase: string | undefined): string {
  const key = createPrivateKey(keys.encrypted ? { key: keys.privateKey, format: 'pem', passphrase: passphrase ?? '' } : keys.privateKey);
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${body}.${sign(null, Buffer.from(body), key).toString('base64url')}`;
}

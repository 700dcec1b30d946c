import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { LicensePayload } from '@flotilla/protocol';
import { verifyLicense } from './license.js';

const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();

const payload: LicensePayload = {
  v: 1,
  id: 'l1',
  vendorId: 'v1',
  vendor: 'Acme',
  customerId: 'c1',
  customer: 'Globex',
  issuedAt: '2026-01-01T00:00:00.000Z',
  expiresAt: '2027-01-01T00:00:00.000Z',
  onExpiry: 'warn',
  maxInstallations: 3,
  entitlements: [{ trackId: 't1', track: 'Shop', versionRange: '^1', expiresAt: null }],
  customFields: { seats: 50 },
};

function issue(p: unknown): string {
  const body = Buffer.from(JSON.stringify(p)).toString('base64url');
  return `${body}.${sign(null, Buffer.from(body), privateKey).toString('base64url')}`;
}

describe('verifyLicense', () => {
  it('accepts a signed license and says whether it expired', () => {
    expect(verifyLicense(issue(payload), pem, new Date('2026-06-01T00:00:00Z'))).toEqual({ valid: true, payload, expired: false });
    expect(verifyLicense(issue(payload), publicKey, new Date('2027-06-01T00:00:00Z'))).toMatchObject({ valid: true, expired: true });
  });

  it('refuses a tampered payload, another key, and what is not a license', () => {
    const license = issue(payload);
    const [body, signature] = license.split('.') as [string, string];
    const forged = Buffer.from(JSON.stringify({ ...payload, maxInstallations: 1000 })).toString('base64url');
    expect(verifyLicense(`${forged}.${signature}`, pem)).toEqual({ valid: false, reason: 'bad-signature' });
    const other = generateKeyPairSync('ed25519').publicKey;
    expect(verifyLicense(license, other)).toEqual({ valid: false, reason: 'bad-signature' });
    expect(verifyLicense(`${body}`, pem)).toEqual({ valid: false, reason: 'malformed' });
    expect(verifyLicense(issue({ hello: 'world' }), pem)).toEqual({ valid: false, reason: 'bad-payload' });
  });
});

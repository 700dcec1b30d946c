import { describe, expect, it } from 'vitest';
import type { LicensePayload } from '@flotilla/protocol';
import { verifyLicense } from '@flotilla/sdk';
import { generateKeyPair, signLicense } from './license-signing.js';

/** The payload of a license that verifies (the SDK's check: one verifier for the hub's tests and integrators). */
const readSignedLicense = (license: string, publicKey: string) => {
  const check = verifyLicense(license, publicKey);
  return check.valid ? check.payload : undefined;
};
import { updatesBlockedBy } from './license-expiry.js';

const payload: LicensePayload = {
  v: 1,
  id: 'l1',
  vendorId: 'v1',
  vendor: 'Acme',
  customerId: 'c1',
  customer: 'Globex',
  issuedAt: '2026-01-01T00:00:00.000Z',
  expiresAt: null,
  onExpiry: 'warn',
  maxInstallations: null,
  entitlements: [],
  customFields: {},
};

describe('license signing', () => {
  it('signs with a key encrypted at rest; the stored private key is not usable without the passphrase', () => {
    const keys = generateKeyPair('a long passphrase');
    expect(keys.encrypted).toBe(true);
    expect(keys.privateKey).toContain('ENCRYPTED PRIVATE KEY');
    const license = signLicense(payload, keys, 'a long passphrase');
    expect(readSignedLicense(license, keys.publicKey)).toEqual(payload);
    expect(() => signLicense(payload, keys, 'wrong passphrase')).toThrow();
  });

  it('refuses a license signed by another key or changed after signing', () => {
    const keys = generateKeyPair(undefined);
    const license = signLicense(payload, keys, undefined);
    expect(readSignedLicense(license, generateKeyPair(undefined).publicKey)).toBeUndefined();
    const changed = Buffer.from(JSON.stringify({ ...payload, customer: 'Initech' })).toString('base64url');
    expect(readSignedLicense(`${changed}.${license.split('.')[1] ?? ''}`, keys.publicKey)).toBeUndefined();
  });
});

describe('updatesBlockedBy', () => {
  const now = new Date('2026-06-01T00:00:00Z');
  it('blocks only an expired license whose policy is block-updates', () => {
    expect(updatesBlockedBy({ expires_at: new Date('2026-05-01T00:00:00Z'), on_expiry: 'block-updates' }, now)).toBe(true);
    expect(updatesBlockedBy({ expires_at: new Date('2026-05-01T00:00:00Z'), on_expiry: 'warn' }, now)).toBe(false);
    expect(updatesBlockedBy({ expires_at: new Date('2026-07-01T00:00:00Z'), on_expiry: 'block-updates' }, now)).toBe(false);
    expect(updatesBlockedBy({ expires_at: null, on_expiry: 'block-updates' }, now)).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { buildEntitlementBody, dateToIso, describeRange, isExpired } from './entitlements';

const NOW = Date.parse('2025-01-01T12:00:00.000Z');

describe('buildEntitlementBody', () => {
  it('grants a whole track by default', () => {
    expect(buildEntitlementBody('c1', { trackId: 't1', versionRange: ' ', expiresOn: '' }, NOW)).toEqual({ ok: true, value: { customerId: 'c1', trackId: 't1' } });
  });

  it('adds a version range and an expiry date (00:00 UTC that day)', () => {
    expect(buildEntitlementBody('c1', { trackId: 't1', versionRange: ' >=1.0.0 <3.0.0 ', expiresOn: '2025-06-30' }, NOW)).toEqual({
      ok: true,
      value: { customerId: 'c1', trackId: 't1', versionRange: '>=1.0.0 <3.0.0', expiresAt: '2025-06-30T00:00:00.000Z' },
    });
  });

  it('refuses a missing track, a bad date and a date in the past', () => {
    expect(buildEntitlementBody('c1', { trackId: '', versionRange: '', expiresOn: '' }, NOW)).toEqual({ ok: false, message: 'Choose a track' });
    expect(buildEntitlementBody('c1', { trackId: 't1', versionRange: '', expiresOn: '2025-02-30' }, NOW).ok).toBe(false);
    expect(buildEntitlementBody('c1', { trackId: 't1', versionRange: '', expiresOn: '2025-01-01' }, NOW)).toEqual({ ok: false, message: 'Expires on must be in the future' });
  });
});

describe('dateToIso', () => {
  it('takes real calendar dates only', () => {
    expect(dateToIso('2024-02-29')).toBe('2024-02-29T00:00:00.000Z');
    expect(dateToIso('2023-02-29')).toBeNull();
    expect(dateToIso('tomorrow')).toBeNull();
  });
});

describe('isExpired and describeRange', () => {
  it('tells expired entitlements apart', () => {
    expect(isExpired({ expiresAt: null }, NOW)).toBe(false);
    expect(isExpired({ expiresAt: '2025-01-01T12:00:00.000Z' }, NOW)).toBe(true);
    expect(isExpired({ expiresAt: '2025-01-02T00:00:00.000Z' }, NOW)).toBe(false);
  });

  it('describes the range', () => {
    expect(describeRange(null)).toBe('every version');
    expect(describeRange('^2')).toBe('^2');
  });
});

import { describe, expect, it } from 'vitest';
import { MAX_RELEASE_NAME, releaseName } from './release-name.js';

const DNS_LABEL = /^[a-z]([a-z0-9-]*[a-z0-9])?$/;

describe('releaseName', () => {
  it('prefixes the installation and keeps the component readable', () => {
    expect(releaseName('3F2A9C1D-aaaa-bbbb', 'api')).toBe('flt-3f2a9c1d-api');
    expect(releaseName('3f2a9c1d', 'db_migrator')).toBe('flt-3f2a9c1d-db-migrator');
    expect(releaseName('', 'web')).toBe('flt-none-web');
  });

  it('stays within 53 DNS-safe characters and keeps long names apart', () => {
    const a = releaseName('3f2a9c1d', `${'a'.repeat(50)}-one`);
    const b = releaseName('3f2a9c1d', `${'a'.repeat(50)}-two`);
    for (const n of [a, b, releaseName('3f2a9c1d', 'x'.repeat(63)), releaseName('3f2a9c1d', `${'y'.repeat(39)}_`)]) {
      expect(n.length).toBeLessThanOrEqual(MAX_RELEASE_NAME);
      expect(n).toMatch(DNS_LABEL);
    }
    expect(a).not.toBe(b);
    expect(a.startsWith('flt-3f2a9c1d-aaaa')).toBe(true);
  });
});

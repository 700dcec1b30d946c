import { describe, expect, it } from 'vitest';
import type { SupportBundle } from '@flotilla/protocol';
import { bundleStatusLabel, bundleTone, formatBytes, patchBundles } from './support-bundles';

const bundle = (id: string, status: SupportBundle['status']): SupportBundle => ({
  id,
  installationId: 'i',
  customerId: 'c',
  status,
  message: null,
  logLines: 500,
  bytes: 0,
  sha256: null,
  requestedBy: { userId: 'u', email: 'u@example.com', customer: false },
  decidedBy: null,
  decidedAt: null,
  createdAt: '2026-12-06T00:00:00.000Z',
  completedAt: null,
  expiresAt: '2026-12-20T00:00:00.000Z',
});

describe('support bundles in the portal', () => {
  it('puts a new bundle first and replaces a known one by id', () => {
    const list = [bundle('a', 'collecting')];
    expect(patchBundles(list, bundle('b', 'collecting')).map((b) => b.id)).toEqual(['b', 'a']);
    expect(patchBundles(list, bundle('a', 'ready'))).toEqual([bundle('a', 'ready')]);
  });

  it('never takes a finished bundle back to an earlier state (crossed events)', () => {
    expect(patchBundles([bundle('a', 'ready')], bundle('a', 'collecting'))).toEqual([bundle('a', 'ready')]);
  });

  it('labels, tones and sizes', () => {
    expect(bundleStatusLabel('awaiting-approval')).toBe('Awaiting approval');
    expect(bundleTone('ready')).toBe('success');
    expect(bundleTone('rejected')).toBe('danger');
    expect(formatBytes(950)).toBe('950 B');
    expect(formatBytes(12_345)).toBe('12.3 kB');
    expect(formatBytes(4_100_000)).toBe('4.1 MB');
    expect(formatBytes(250_000_000)).toBe('250 MB');
  });
});

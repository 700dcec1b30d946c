import { describe, expect, it } from 'vitest';
import { composeDigest, type DigestItem } from './digest.js';

const offline = (n: number): DigestItem[] => Array.from({ length: n }, (_, i) => ({ event: 'installation.offline', installationId: `i${i}`, line: `site-${i} offline since 2026-12-07 10:00 UTC` }));

describe('notification digests', () => {
  it('puts a 10 000-installation outage into one mail: counted, the first lines listed, the rest summed', () => {
    const d = composeDigest([...offline(10_000), { event: 'alert.firing', installationId: 'i1', line: 'site-1: Offline firing' }], 'https://hub/settings/notifications', 20);
    expect(d?.count).toBe(10_001);
    expect(d?.subject).toBe('Flotilla: 10000 installations offline, 1 alerts firing');
    expect(d?.text).toContain('Installations offline (10000):\n- site-0 offline');
    expect(d?.text).toContain('- … and 9980 more');
    expect(d?.text.split('\n').filter((l) => l.includes(' offline since '))).toHaveLength(20);
    expect(d?.text).toMatch(/notification settings: https:\/\/hub\/settings\/notifications$/);
  });

  it('orders sections as the catalogue does and folds duplicates (an installation offline twice, a line twice)', () => {
    const d = composeDigest(
      [
        { event: 'alert.resolved', installationId: 'a', line: 'a: resolved' },
        { event: 'rollout.failed', installationId: null, line: 'Rollout of stable 2.0 failed' },
        { event: 'installation.offline', installationId: 'a', line: 'a offline since 10:00' },
        { event: 'installation.offline', installationId: 'a', line: 'a offline since 10:05' },
        { event: 'rollout.failed', installationId: null, line: 'Rollout of stable 2.0 failed' },
      ],
      'u',
    );
    expect(d?.count).toBe(3);
    expect(d?.subject).toBe('Flotilla: 1 rollouts failed, 1 installations offline, 1 alerts resolved');
    expect(d?.text.indexOf('Rollouts failed')).toBeLessThan(d?.text.indexOf('Installations offline') ?? 0);
  });

  it('has nothing to send for nothing', () => {
    expect(composeDigest([], 'u')).toBeUndefined();
  });
});

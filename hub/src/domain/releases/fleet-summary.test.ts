import { describe, expect, it } from 'vitest';
import { summarize, type FleetRow } from './fleet-summary.js';

const now = new Date('2026-11-23T12:00:00Z');
const row = (over: Partial<FleetRow>): FleetRow => ({
  id: 'i', name: 'n', customer_id: 'c', customer_name: 'C', track_id: 't', track_name: 'T', health: 'healthy', online: true, release_version: '1.0.0', released_at: new Date('2026-11-13T12:00:00Z'),
  // Converged on its release unless a test says otherwise.
  desired_version: over.release_version ?? '1.0.0', desired_revision: 2, applied_revision: 2, desired_components: { api: '2.0.0', web: '3.0.0' },
  components: [{ name: 'api', version: '2.0.0' }, { name: 'web', version: '3.0.0' }],
  ...over,
});

describe('summarize', () => {
  it('counts releases behind by semver precedence and version age in days', () => {
    const s = summarize([row({ id: 'a' }), row({ id: 'b', release_version: '1.10.0', released_at: now }), row({ id: 'c', release_version: null, released_at: null, health: 'failed', online: false })], new Map([['t', ['1.0.0', '1.2.0', '1.10.0', '1.9.0']]]), now);
    expect(s.total).toBe(3);
    expect(s.online).toBe(2);
    expect(s.byHealth).toEqual({ healthy: 2, failed: 1 });
    const [a, b, c] = s.installations;
    expect(a).toMatchObject({ version: '1.0.0', latestVersion: '1.10.0', releasesBehind: 3, versionAgeDays: 10 });
    expect(b).toMatchObject({ releasesBehind: 0, versionAgeDays: 0 });
    expect(c).toMatchObject({ version: null, releasesBehind: null, versionAgeDays: null });
    expect(s.byVersion.map((v) => [v.version, v.count])).toEqual([['1.0.0', 1], ['1.10.0', 1], [null, 1]]);
  });

  it('handles installations without a track', () => {
    const s = summarize([row({ track_id: null, track_name: null, release_version: null, released_at: null })], new Map(), now);
    expect(s.installations[0]).toMatchObject({ latestVersion: null, releasesBehind: null });
  });

  it('counts an installation as running its release only when it truly does', () => {
    const drifting = row({ id: 'd', components: [{ name: 'api', version: '2.0.0' }, { name: 'web', version: '2.9.0' }] });
    const converging = row({ id: 'p', applied_revision: 1 });
    const missing = row({ id: 'm', components: [{ name: 'api', version: '2.0.0' }] });
    const s = summarize([row({ id: 'ok' }), drifting, converging, missing], new Map([['t', ['1.0.0', '1.1.0']]]), now);
    expect(s.installations.map((i) => [i.id, i.version, i.releasesBehind, i.versionAgeDays])).toEqual([
      ['ok', '1.0.0', 1, 10],
      ['d', null, null, null],
      ['p', null, null, null],
      ['m', null, null, null],
    ]);
    expect(s.byVersion.map((v) => [v.version, v.count])).toEqual([[null, 3], ['1.0.0', 1]]);
  });
});

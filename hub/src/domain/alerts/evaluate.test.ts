import { describe, expect, it } from 'vitest';
import { breach, diffAlerts, releasesBehind, type InstallationFacts } from './evaluate.js';

const now = Date.parse('2026-12-06T12:00:00Z');
const ago = (min: number) => new Date(now - min * 60_000);
const facts = (f: Partial<InstallationFacts> = {}): InstallationFacts => ({
  installationId: 'i1', hasAgent: true, online: true, lastSeenAt: ago(0), health: 'healthy', healthSince: ago(60), runningVersion: '1.0.0', trackId: 't', agentOutdated: false, ...f,
});

describe('alert rules', () => {
  it('offline longer than the threshold', () => {
    expect(breach({ kind: 'offline', threshold: 10 }, facts({ online: false, lastSeenAt: ago(12) }), null, now)).toBe('offline for 12 min (threshold 10 min)');
    expect(breach({ kind: 'offline', threshold: 10 }, facts({ online: false, lastSeenAt: ago(9) }), null, now)).toBeNull();
    expect(breach({ kind: 'offline', threshold: 10 }, facts({ online: true }), null, now)).toBeNull();
    expect(breach({ kind: 'offline', threshold: 10 }, facts({ online: false, hasAgent: false, lastSeenAt: null }), null, now)).toBeNull();
  });

  it('health failing longer than the threshold, only while the agent reports', () => {
    expect(breach({ kind: 'health_failing', threshold: 5 }, facts({ health: 'failed', healthSince: ago(6) }), null, now)).toMatch(/^health failed for 6 min/);
    expect(breach({ kind: 'health_failing', threshold: 5 }, facts({ health: 'degraded', healthSince: ago(4) }), null, now)).toBeNull();
    expect(breach({ kind: 'health_failing', threshold: 5 }, facts({ health: 'failed', healthSince: ago(6), online: false }), null, now)).toBeNull();
  });

  it('releases behind by semver, and the outdated agent', () => {
    expect(releasesBehind('1.0.0', ['0.9.0', '1.0.0', '1.1.0', '2.0.0', 'not-semver'])).toBe(2);
    expect(releasesBehind(null, ['1.0.0'])).toBeNull();
    expect(breach({ kind: 'releases_behind', threshold: 2 }, facts(), 2, now)).toBe('2 releases behind (threshold 2)');
    expect(breach({ kind: 'releases_behind', threshold: 2 }, facts(), 1, now)).toBeNull();
    expect(breach({ kind: 'agent_outdated', threshold: 0 }, facts({ agentOutdated: true }), null, now)).not.toBeNull();
  });

  it('raises what newly fires, keeps what still fires, resolves the rest (and everything of a disabled rule)', () => {
    const rules = [
      { id: 'r1', kind: 'offline' as const, threshold: 10, enabled: true },
      { id: 'r2', kind: 'agent_outdated' as const, threshold: 0, enabled: false },
    ];
    const all = [facts({ installationId: 'a', online: false, lastSeenAt: ago(30) }), facts({ installationId: 'b', online: false, lastSeenAt: ago(30) }), facts({ installationId: 'c', agentOutdated: true })];
    const open = [
      { id: '1', ruleId: 'r1', installationId: 'a' },
      { id: '2', ruleId: 'r1', installationId: 'c' },
      { id: '3', ruleId: 'r2', installationId: 'c' },
    ];
    const d = diffAlerts(rules, all, open, new Map(), now);
    expect(d.fire).toEqual([{ ruleId: 'r1', installationId: 'b', message: 'offline for 30 min (threshold 10 min)' }]);
    expect(d.resolve.map((a) => a.id)).toEqual(['2', '3']);
  });
});

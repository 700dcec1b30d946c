import { describe, expect, it } from 'vitest';
import { DEFAULT_STRATEGY, type Rollout, type Target } from './planner.js';
import { explainTargets, shownBlocker, type BlockerFacts } from './blockers.js';

const target = (id: string, over: Partial<Target> = {}): Target => ({
  installationId: id, wave: 0, status: 'pending', waitingFor: null, stage: 0, stageSentAt: null, stageHealth: 'pending',
  online: true, offlineSince: null, approved: true, inWindow: true, nextWindowAt: null, finishedAt: null, ...over,
});
const rollout = (over: Partial<Rollout['strategy']> = {}): Rollout => ({ status: 'running', stageCount: 2, strategy: { ...DEFAULT_STRATEGY, ...over } });
const facts = (over: Partial<BlockerFacts> = {}) => () => ({ customerName: 'Acme', timeZone: 'Europe/Berlin', failing: [], waitingSince: 1_000, releaseReady: true, ...over });
const T = Date.parse('2026-12-01T00:00:00Z');

describe('explainTargets', () => {
  it('says what each unfinished target waits for, with its times', () => {
    const ts = [
      target('win', { status: 'waiting', waitingFor: 'window', nextWindowAt: T + 3_600_000 }),
      target('ok', { status: 'waiting', waitingFor: 'approval' }),
      target('off', { status: 'waiting', waitingFor: 'agent', online: false, offlineSince: T - 60_000 }),
      target('stage', { status: 'deploying', stage: 2, stageSentAt: T }),
      target('done', { status: 'succeeded', finishedAt: T }),
    ];
    const b = explainTargets(rollout({ offlineTimeoutSeconds: 120, healthTimeoutSeconds: 60 }), ts, facts({ failing: [{ name: 'api', health: 'degraded', message: 'probe 503' }] }), T);
    expect(b.get('win')).toMatchObject({ reason: 'window', until: '2026-12-01T01:00:00.000Z', timeZone: 'Europe/Berlin', message: 'waits for its maintenance window, which opens at 2026-12-01T01:00:00.000Z (Europe/Berlin)' });
    expect(b.get('ok')).toMatchObject({ reason: 'approval', by: 'an admin of Acme' });
    expect(b.get('off')).toMatchObject({ reason: 'agent', since: '2026-11-30T23:59:00.000Z', until: '2026-12-01T00:01:00.000Z' });
    expect(b.get('stage')).toMatchObject({ reason: 'health', until: '2026-12-01T00:01:00.000Z', message: 'waits for stage 2 to be healthy: api degraded (probe 503); it fails at 2026-12-01T00:01:00.000Z if not' });
    expect(b.get('done')).toBeNull();
  });

  it('a later wave waits for the current one, the next wave for its soak, the rest for a slot', () => {
    const r = rollout({ maxParallel: 1, soakSeconds: 60 });
    expect(explainTargets(r, [target('a', { status: 'deploying', stage: 1, stageSentAt: T }), target('b'), target('c', { wave: 1 })], facts(), T)).toEqual(
      new Map([
        ['a', expect.objectContaining({ reason: 'health' })],
        ['b', expect.objectContaining({ reason: 'slot', message: 'waits for a free slot: 1 installation is updating at once (maxParallel)' })],
        ['c', expect.objectContaining({ reason: 'wave', message: 'waits for wave 1 to finish' })],
      ]),
    );
    const soaking = explainTargets(r, [target('a', { status: 'succeeded', finishedAt: T }), target('c', { wave: 1 })], facts(), T + 1000);
    expect(soaking.get('c')).toMatchObject({ reason: 'soak', until: '2026-12-01T00:01:00.000Z' });
    expect(explainTargets(r, [target('b')], facts({ releaseReady: false }), T).get('b')).toMatchObject({ reason: 'release' });
  });

  it('a paused rollout holds every unfinished target; a finished one explains nothing', () => {
    expect(shownBlocker('paused', 'an installation failed', false, null)).toMatchObject({ reason: 'paused', message: 'waits: the rollout is paused (an installation failed); resume it to go on' });
    expect(shownBlocker('paused', null, true, null)).toBeNull();
    expect(shownBlocker('completed', null, false, null)).toBeNull();
  });
});

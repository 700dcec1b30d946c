import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { applyActions, assignWaves, DEFAULT_STRATEGY, isFinished, plan, type Action, type Rollout, type Strategy, type Target } from './planner.js';

const target = (id: string, over: Partial<Target> = {}): Target => ({
  installationId: id, wave: 0, status: 'pending', waitingFor: null, stage: 0, stageSentAt: null, stageHealth: 'pending',
  online: true, offlineSince: null, approved: false, inWindow: true, nextWindowAt: null, finishedAt: null, ...over,
});
const rollout = (over: Partial<Strategy> = {}, status: Rollout['status'] = 'running', stageCount = 2): Rollout => ({ status, stageCount, strategy: { ...DEFAULT_STRATEGY, ...over } });
const types = (actions: Action[]) => actions.map((a) => ('installationId' in a ? `${a.type}:${a.installationId}${'stage' in a ? `@${a.stage}` : ''}` : a.type));

describe('assignWaves', () => {
  const ids = Array.from({ length: 50 }, (_, i) => `i${i}`);
  it('one canary, then 10 % of the rest, then all the rest', () => {
    const w = assignWaves(ids, [{ count: 1 }, { percent: 10 }, { percent: 100 }]);
    const sizes = [0, 1, 2].map((k) => [...w.values()].filter((v) => v === k).length);
    expect(sizes).toEqual([1, 5, 44]);
    expect(w.get('i0')).toBe(0);
  });
  it('explicit ids, and leftovers join the last wave', () => {
    const w = assignWaves(['a', 'b', 'c', 'd'], [{ installationIds: ['c'] }, { count: 1 }]);
    expect(Object.fromEntries(w)).toEqual({ c: 0, a: 1, b: 1, d: 1 });
  });
  it('a percentage takes at least one target while any remain', () => {
    expect([...assignWaves(['a', 'b'], [{ percent: 1 }, { percent: 100 }]).values()]).toEqual([0, 1]);
  });
});

describe('plan', () => {
  it('a pending rollout starts and sends stage 1 to up to maxParallel targets', () => {
    const a = plan(rollout({ maxParallel: 2 }, 'pending'), [target('a'), target('b'), target('c')], 0);
    expect(types(a)).toEqual(['start', 'send-stage:a@1', 'send-stage:b@1', 'wake-at']);
  });

  it('sends stage k+1 only once stage k is healthy, then succeeds after the last stage', () => {
    const r = rollout({}, 'running', 2);
    expect(types(plan(r, [target('a', { status: 'deploying', stage: 1, stageSentAt: 0 })], 1000))).toEqual(['wake-at']);
    expect(types(plan(r, [target('a', { status: 'deploying', stage: 1, stageSentAt: 0, stageHealth: 'healthy' })], 1000))).toEqual(['send-stage:a@2', 'wake-at']);
    expect(types(plan(r, [target('a', { status: 'deploying', stage: 2, stageSentAt: 0, stageHealth: 'healthy' })], 1000))).toEqual(['succeeded:a', 'complete']);
  });

  it('a stage not healthy within the health timeout fails and pauses (default policy)', () => {
    const a = plan(rollout({ healthTimeoutSeconds: 10 }), [target('a', { status: 'deploying', stage: 1, stageSentAt: 0 }), target('b')], 10_000);
    expect(a).toEqual([{ type: 'failed', installationId: 'a', reason: 'stage 1 not healthy within 10 s' }, { type: 'pause', reason: 'an installation failed' }]);
  });

  it('rollback policy rolls the failed stage back, then the ones below it, in reverse order', () => {
    const r = rollout({ failurePolicy: 'rollback', maxFailures: 5 }, 'running', 3);
    expect(types(plan(r, [target('a', { status: 'deploying', stage: 2, stageSentAt: 0, stageHealth: 'failed' })], 1))).toEqual(['rollback-stage:a@2', 'wake-at']);
    expect(types(plan(r, [target('a', { status: 'rolling_back', stage: 2, stageSentAt: 0, stageHealth: 'healthy' })], 1))).toEqual(['rollback-stage:a@1', 'wake-at']);
    expect(types(plan(r, [target('a', { status: 'rolling_back', stage: 1, stageSentAt: 0, stageHealth: 'healthy' })], 1))).toEqual(['rolled-back:a', 'complete']);
  });

  it('continue policy goes on until failures exceed maxFailures', () => {
    const r = rollout({ failurePolicy: 'continue', maxFailures: 1, maxParallel: 1 });
    expect(types(plan(r, [target('a', { status: 'deploying', stage: 1, stageSentAt: 0, stageHealth: 'failed' }), target('b')], 1))).toEqual(['failed:a', 'send-stage:b@1', 'wake-at']);
    expect(types(plan(r, [target('a', { status: 'failed', finishedAt: 0 }), target('b', { status: 'deploying', stage: 1, stageSentAt: 0, stageHealth: 'failed' })], 1))).toEqual(['failed:b', 'pause']);
  });

  it('waits for the previous wave to finish and soak', () => {
    const r = rollout({ soakSeconds: 60 });
    const ts = [target('a', { wave: 0, status: 'succeeded', finishedAt: 1000 }), target('b', { wave: 1 })];
    expect(plan(r, ts, 30_000)).toEqual([{ type: 'wake-at', at: 61_000 }]);
    expect(types(plan(r, ts, 61_000))).toEqual(['send-stage:b@1', 'wake-at']);
  });

  it('waits for approval, then the maintenance window, then the agent; skips agents offline too long', () => {
    const r = rollout({ requireCustomerApproval: true, offlineTimeoutSeconds: 100 });
    expect(types(plan(r, [target('a')], 0))).toEqual(['wait:a']);
    expect(plan(r, [target('a', { approved: true, inWindow: false, nextWindowAt: 5000 })], 0)).toEqual([{ type: 'wait', installationId: 'a', waitingFor: 'window' }, { type: 'wake-at', at: 5000 }]);
    expect(plan(r, [target('a', { approved: true, online: false, offlineSince: 0 })], 50_000)).toEqual([{ type: 'wait', installationId: 'a', waitingFor: 'agent' }, { type: 'wake-at', at: 100_000 }]);
    expect(types(plan(r, [target('a', { approved: true, online: false, offlineSince: 0 })], 100_000))).toEqual(['skipped:a', 'complete']);
  });

  it('a waiting target already waiting for the same reason is not re-marked', () => {
    expect(plan(rollout({ requireCustomerApproval: true }), [target('a', { status: 'waiting', waitingFor: 'approval' })], 0)).toEqual([]);
  });

  it.each(['paused', 'aborted', 'completed', 'failed'] as const)('a %s rollout does nothing', (status) => {
    expect(plan(rollout({}, status), [target('a'), target('b', { status: 'deploying', stage: 1, stageSentAt: 0, stageHealth: 'healthy' })], 0)).toEqual([]);
  });
});

describe('plan, property-based over simulated fleets', () => {
  const strategyArb = fc.record({
    waves: fc.array(fc.oneof(fc.record({ count: fc.integer({ min: 1, max: 5 }) }), fc.record({ percent: fc.integer({ min: 1, max: 100 }) })), { minLength: 1, maxLength: 3 }),
    maxParallel: fc.integer({ min: 1, max: 5 }),
    soakSeconds: fc.integer({ min: 0, max: 120 }),
    healthTimeoutSeconds: fc.integer({ min: 10, max: 300 }),
    failurePolicy: fc.constantFrom('pause' as const, 'rollback' as const, 'continue' as const),
    maxFailures: fc.integer({ min: 0, max: 3 }),
    respectMaintenanceWindows: fc.boolean(),
    requireCustomerApproval: fc.boolean(),
    offlineTimeoutSeconds: fc.integer({ min: 30, max: 600 }),
  });
  const eventArb = fc.record({ dt: fc.integer({ min: 0, max: 200_000 }), seed: fc.array(fc.integer({ min: 0, max: 99 }), { minLength: 40, maxLength: 40 }), control: fc.constantFrom('none', 'none', 'none', 'pause', 'resume', 'abort') });

  it('never exceeds maxParallel, never skips a stage, never starts a wave early, and a stopped rollout starts nothing', () => {
    fc.assert(
      fc.property(strategyArb, fc.integer({ min: 1, max: 25 }), fc.integer({ min: 1, max: 3 }), fc.array(eventArb, { minLength: 1, maxLength: 60 }), (strategy, n, stageCount, events) => {
        const ids = Array.from({ length: n }, (_, i) => `i${i}`);
        const waves = assignWaves(ids, strategy.waves);
        let r: Rollout = { status: 'pending', stageCount, strategy };
        let ts = ids.map((id) => target(id, { wave: waves.get(id) ?? 0 }));
        let now = 0;
        for (const e of events) {
          now += e.dt;
          // the world changes: agents report, go offline, customers approve, windows open
          ts = ts.map((t, i) => {
            const roll = e.seed[i % e.seed.length] ?? 0;
            const u = { ...t };
            if ((u.status === 'deploying' || u.status === 'rolling_back') && u.stageHealth === 'pending') u.stageHealth = roll < 60 ? 'healthy' : roll < 70 ? 'failed' : 'pending';
            if (roll % 7 === 0) u.online = !u.online;
            u.offlineSince = u.online ? null : (u.offlineSince ?? now);
            if (roll % 3 === 0) u.approved = true;
            u.inWindow = roll % 5 !== 0;
            u.nextWindowAt = u.inWindow ? null : now + 60_000;
            return u;
          });
          if (e.control === 'pause' && r.status === 'running') r = { ...r, status: 'paused' };
          if (e.control === 'resume' && r.status === 'paused') r = { ...r, status: 'running' };
          if (e.control === 'abort' && (r.status === 'running' || r.status === 'paused')) r = { ...r, status: 'aborted' };

          const before = ts;
          const actions = plan(r, ts, now);
          const after = applyActions(r, ts, actions, now).targets;
          if (r.status !== 'running' && r.status !== 'pending') expect(actions).toEqual([]);
          for (const a of actions) {
            if (a.type !== 'send-stage') continue;
            const t = before.find((x) => x.installationId === a.installationId) as Target;
            if (a.stage > 1) {
              expect(t.status).toBe('deploying');
              expect(t.stage).toBe(a.stage - 1);
              expect(t.stageHealth).toBe('healthy');
            } else {
              expect(['pending', 'waiting']).toContain(t.status);
              // earlier waves are finished (possibly in this same step) and soaked
              const earlier = after.filter((x) => x.wave < t.wave);
              expect(earlier.every(isFinished)).toBe(true);
              const lastDone = Math.max(0, ...earlier.map((x) => x.finishedAt ?? 0));
              if (earlier.length > 0) expect(now).toBeGreaterThanOrEqual(lastDone + strategy.soakSeconds * 1000);
            }
          }
          ({ rollout: r, targets: ts } = applyActions(r, ts, actions, now));
          expect(ts.filter((t) => t.status === 'deploying' || t.status === 'rolling_back').length).toBeLessThanOrEqual(strategy.maxParallel);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a rollout whose agents are all healthy and online completes with every target succeeded', () => {
    fc.assert(
      fc.property(strategyArb, fc.integer({ min: 1, max: 25 }), fc.integer({ min: 1, max: 3 }), (strategy, n, stageCount) => {
        const s = { ...strategy, requireCustomerApproval: false, respectMaintenanceWindows: false };
        const ids = Array.from({ length: n }, (_, i) => `i${i}`);
        const waves = assignWaves(ids, s.waves);
        let r: Rollout = { status: 'pending', stageCount, strategy: s };
        let ts = ids.map((id) => target(id, { wave: waves.get(id) ?? 0 }));
        let now = 0;
        for (let step = 0; step < 1000 && r.status !== 'completed'; step++) {
          now += 1000 + s.soakSeconds * 1000;
          ts = ts.map((t) => (t.status === 'deploying' ? { ...t, stageHealth: 'healthy' } : t));
          ({ rollout: r, targets: ts } = applyActions(r, ts, plan(r, ts, now), now));
        }
        expect(r.status).toBe('completed');
        expect(ts.every((t) => t.status === 'succeeded')).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

import { describe, expect, it } from 'vitest';
import { assignWaves, DEFAULT_STRATEGY, plan, type Action, type Rollout, type Strategy, type Target } from './planner.js';

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

  it('rollback with the default maxFailures 0: the failed installation walks back with no manual step, then the rollout ends rolled back', () => {
    const r = rollout({ failurePolicy: 'rollback' }, 'running', 2);
    const waiting = target('b', { wave: 1 });
    // The failure: its first rollback step carries why; nothing new starts, and no pause.
    const first = plan(r, [target('a', { status: 'deploying', stage: 2, stageSentAt: 0, stageHealth: 'failed' }), waiting], 1);
    expect(first).toContainEqual({ type: 'rollback-stage', installationId: 'a', stage: 2, reason: 'stage 2 failed' });
    expect(types(first)).toEqual(['rollback-stage:a@2', 'wake-at']);
    expect(types(plan(r, [target('a', { status: 'rolling_back', stage: 2, stageSentAt: 0, stageHealth: 'healthy' }), waiting], 2))).toEqual(['rollback-stage:a@1', 'wake-at']);
    // Back on what it ran before: what never started is skipped and the rollout says it rolled back.
    const last = plan(r, [target('a', { status: 'rolling_back', stage: 1, stageSentAt: 0, stageHealth: 'healthy' }), waiting], 3);
    expect(types(last)).toEqual(['rolled-back:a', 'skipped:b', 'end-rolled-back']);
    expect(last.at(-1)).toEqual({ type: 'end-rolled-back', reason: '1 failure exceeds maxFailures (0): failed installations rolled back' });
  });

  it('rollback past the budget lets in-flight installations finish before the rollout ends', () => {
    const r = rollout({ failurePolicy: 'rollback' }, 'running', 1);
    const ts = [target('a', { status: 'rolled_back', finishedAt: 0 }), target('b', { status: 'deploying', stage: 1, stageSentAt: 0 }), target('c')];
    expect(types(plan(r, ts, 1))).toEqual(['wake-at']);
  });

  it('a paused rollout carries its rollbacks to their end, and nothing else', () => {
    const r = rollout({ failurePolicy: 'rollback', maxFailures: 3 }, 'paused', 2);
    const ts = [target('a', { status: 'rolling_back', stage: 1, stageSentAt: 0, stageHealth: 'healthy' }), target('b', { status: 'deploying', stage: 1, stageSentAt: 0, stageHealth: 'healthy' }), target('c')];
    expect(types(plan(r, ts, 1))).toEqual(['rolled-back:a']);
  });

  it.each(['paused', 'aborted', 'completed', 'failed', 'rolled_back'] as const)('a %s rollout does nothing', (status) => {
    expect(plan(rollout({}, status), [target('a'), target('b', { status: 'deploying', stage: 1, stageSentAt: 0, stageHealth: 'healthy' })], 0)).toEqual([]);
  });

  describe('required releases', () => {
    // 'a' runs two required releases first (1 stage, then 2 stages), then the rollout's release (2 stages).
    const via = (over: Partial<Target> = {}) => target('a', { requiredStages: [1, 2], step: 0, ...over });
    const healthy = { status: 'deploying' as const, stageSentAt: 0, stageHealth: 'healthy' as const };
    const sent = (actions: Action[]) => actions.flatMap((a) => (a.type === 'send-stage' ? [`step ${a.step ?? '-'} stage ${a.stage}`] : a.type === 'wake-at' ? [] : [a.type]));

    it('starts at stage 1 of the first required release', () => {
      expect(sent(plan(rollout(), [via()], 0))).toEqual(['step 0 stage 1']);
      expect(sent(plan(rollout(), [target('b')], 0))).toEqual(['step - stage 1']);
    });
    it('steps through each required release, healthy, in order, then the release; succeeds only on the last', () => {
      expect(sent(plan(rollout(), [via({ ...healthy, stage: 1 })], 1000))).toEqual(['step 1 stage 1']);
      expect(sent(plan(rollout(), [via({ ...healthy, step: 1, stage: 1 })], 1000))).toEqual(['step 1 stage 2']);
      expect(sent(plan(rollout(), [via({ ...healthy, step: 1, stage: 2 })], 1000))).toEqual(['step 2 stage 1']);
      expect(sent(plan(rollout(), [via({ ...healthy, step: 2, stage: 1 })], 1000))).toEqual(['step 2 stage 2']);
      expect(sent(plan(rollout(), [via({ ...healthy, step: 2, stage: 2 })], 1000))).toEqual(['succeeded', 'complete']);
      // not healthy yet: nothing moves
      expect(sent(plan(rollout(), [via({ ...healthy, stageHealth: 'pending', step: 1, stage: 2 })], 1000))).toEqual([]);
    });
    it('a rollback undoes only the release in flight, never the required ones completed before it', () => {
      const r = rollout({ failurePolicy: 'rollback' });
      expect(types(plan(r, [via({ ...healthy, stageHealth: 'failed', step: 2, stage: 2 })], 1000))).toEqual(['rollback-stage:a@2', 'wake-at']);
      expect(types(plan(r, [via({ status: 'rolling_back', stageSentAt: 0, stageHealth: 'healthy', step: 2, stage: 1 })], 1000))).toEqual(['rolled-back:a', 'end-rolled-back']);
    });
  });
});

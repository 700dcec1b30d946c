import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { MaintenanceWindow } from '@flotilla/protocol';
import { applyActions, assignWaves, failureCount, isFinished, plan, type Action, type Rollout, type Strategy, type Target } from './planner.js';
import { modelStep } from './reference-model.js';
import { explainTargets } from './blockers.js';
import { plannerTarget } from './engine.js';
import type { TargetRow } from './rollout-repository.js';

/**
 * The real planner, fed by the engine's real reading of agent facts (`plannerTarget`), against the
 * reference model, over random fleets, strategies, clocks and agent behaviours. After every step:
 * the planner decided what the model decides, and the invariants of issue 20 hold.
 */

type Behaviour = 'good' | 'slow' | 'failing' | 'apply-fails' | 'flapping' | 'stale' | 'dies' | 'never' | 'broken-before';

/** A simulated installation: what its agent does, and the facts the hub would have recorded. */
interface Sim {
  behaviour: Behaviour;
  delayMs: number;
  online: boolean;
  lastSeen: number | null;
  desired: number;
  desiredAt: number;
  applied: number;
  reportedAt: number;
  allHealthy: boolean;
  anyFailed: boolean;
  /** A failed component reported at the version the newest revision sent. */
  newVersionFailed: boolean;
  /** The applied revision of the last healthy / failed report (what a gate may count). */
  healthyRevision: number;
  failedRevision: number;
  windows: MaintenanceWindow[];
  approved: boolean;
}

const WINDOWS: MaintenanceWindow[][] = [
  [],
  [{ days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: '03:05', end: '03:10', timeZone: 'UTC' }],
  [{ days: ['sun'], start: '02:30', end: '03:30', timeZone: 'America/New_York' }],
  [{ cron: '*/20 * * * *', durationMinutes: 5, timeZone: 'Europe/Berlin' }],
];

const strategyArb: fc.Arbitrary<Strategy> = fc.record({
  waves: fc.array(fc.oneof(fc.record({ count: fc.integer({ min: 1, max: 4 }) }), fc.record({ percent: fc.integer({ min: 1, max: 100 }) })), { minLength: 1, maxLength: 3 }),
  maxParallel: fc.integer({ min: 1, max: 4 }),
  soakSeconds: fc.integer({ min: 0, max: 600 }),
  healthTimeoutSeconds: fc.integer({ min: 5, max: 900 }),
  failurePolicy: fc.constantFrom('pause' as const, 'rollback' as const, 'continue' as const),
  maxFailures: fc.integer({ min: 0, max: 3 }),
  respectMaintenanceWindows: fc.boolean(),
  requireCustomerApproval: fc.boolean(),
  offlineTimeoutSeconds: fc.integer({ min: 10, max: 3600 }),
});
const agentArb = fc.record({
  behaviour: fc.oneof({ arbitrary: fc.constant<Behaviour>('good'), weight: 8 }, { arbitrary: fc.constantFrom<Behaviour>('slow', 'failing', 'apply-fails', 'flapping', 'stale', 'dies', 'never', 'broken-before'), weight: 4 }),
  delayMs: fc.oneof({ arbitrary: fc.integer({ min: 0, max: 20_000 }), weight: 5 }, { arbitrary: fc.integer({ min: 0, max: 600_000 }), weight: 1 }),
  windows: fc.integer({ min: 0, max: WINDOWS.length - 1 }),
  approvesAfter: fc.integer({ min: 0, max: 40 }),
  /** Stage counts of the required releases it runs before the rollout's (mostly none). */
  requiredStages: fc.oneof({ arbitrary: fc.constant<number[]>([]), weight: 3 }, { arbitrary: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 2 }), weight: 1 }),
});
const stepArb = fc.record({
  dtMs: fc.oneof(fc.integer({ min: 0, max: 5_000 }), fc.integer({ min: 0, max: 900_000 }), fc.constant(-1) /* to the planner's wake-up */),
  control: fc.oneof({ arbitrary: fc.constant('none'), weight: 60 }, { arbitrary: fc.constantFrom('pause', 'resume'), weight: 4 }, { arbitrary: fc.constant('abort'), weight: 1 }),
  noise: fc.integer({ min: 0, max: 999 }),
});

let cases = 0;
let steps = 0;
const outcomes = new Map<string, number>();
afterAll(() => {
  process.stdout.write(`planner vs reference model: ${cases} cases, ${steps} steps; targets ended ${JSON.stringify(Object.fromEntries(outcomes))}\n`);
});

/** What an agent does between two steps of the planner. */
function act(a: Sim, now: number, noise: number): void {
  const report = (healthy: boolean, failed: boolean, newVersion = false) => Object.assign(a, { reportedAt: now, allHealthy: healthy, anyFailed: failed, newVersionFailed: newVersion, lastSeen: now });
  if (a.behaviour === 'never') return;
  if (a.behaviour === 'flapping' && noise % 3 === 0) a.online = !a.online;
  if (!a.online) return;
  a.lastSeen = now;
  const fresh = a.desired > a.applied;
  if (a.behaviour === 'dies' && fresh) {
    a.online = false;
    return;
  }
  if (a.behaviour === 'stale') {
    // keeps reporting its old revision healthy, never applies the new one
    report(true, false);
    return;
  }
  if (a.behaviour === 'apply-fails' && fresh) {
    // the new version cannot be applied: the previous revision stays, the new component is failed
    report(false, true, true);
    a.failedRevision = a.desired;
    return;
  }
  if (fresh && now >= a.desiredAt + (a.behaviour === 'slow' ? a.delayMs * 4 : a.delayMs)) {
    a.applied = a.desired;
    const failing = a.behaviour === 'failing';
    if (a.behaviour === 'slow') report(false, false); // progressing
    else report(!failing, failing);
  } else if (fresh && a.behaviour === 'broken-before') {
    report(false, true); // the old revision is broken, and says so while the new one is on its way
  } else if (!fresh && a.applied > 0) {
    const failing = a.behaviour === 'failing' || (a.behaviour === 'flapping' && noise % 5 === 0);
    report(!failing, failing);
  }
  if (a.allHealthy) a.healthyRevision = a.applied;
  if (a.anyFailed) a.failedRevision = a.applied;
}

/** The row the engine would read for a target (the columns plannerTarget uses). */
function row(t: Target & { stageRevision: number | null; waitingSince: number | null }, a: Sim): TargetRow {
  return {
    installation_id: t.installationId,
    wave: t.wave,
    status: t.status,
    waiting_for: t.waitingFor,
    waiting_since: t.waitingSince === null ? null : new Date(t.waitingSince),
    stage: t.stage,
    stage_revision: t.stageRevision,
    stage_sent_at: t.stageSentAt === null ? null : new Date(t.stageSentAt),
    approved: a.approved,
    approved_for: null,
    steps: (t.requiredStages ?? []).map((stageCount, k) => ({ releaseId: `required-${k}`, version: `0.${k}.0`, stageCount })),
    step: t.step ?? 0,
    finished_at: t.finishedAt === null ? null : new Date(t.finishedAt),
    online: a.online,
    last_seen_at: a.lastSeen === null ? null : new Date(a.lastSeen),
    applied_revision: a.applied,
    any_failed: a.anyFailed,
    stage_version_failed: a.newVersionFailed && t.stageRevision === a.desired,
    all_healthy: a.allHealthy,
    status_updated_at: new Date(a.reportedAt),
    maintenance_windows: a.windows,
  } as TargetRow;
}

const comparable = (ts: readonly Target[]) => ts.map((t) => ({ id: t.installationId, status: t.status, step: t.step ?? 0, stage: t.stage, waitingFor: t.status === 'waiting' ? t.waitingFor : null }));

function runCase(strategy: Strategy, stageCount: number, agents: { behaviour: Behaviour; delayMs: number; windows: number; approvesAfter: number; requiredStages: number[] }[], script: { dtMs: number; control: string; noise: number }[], start: number): void {
  cases += 1;
  const ids = agents.map((_, i) => `i${i}`);
  const waves = assignWaves(ids, strategy.waves);
  const sims = new Map<string, Sim>(
    agents.map((g, i) => [
      `i${i}`,
      { behaviour: g.behaviour, delayMs: g.delayMs, online: g.behaviour !== 'never', lastSeen: g.behaviour === 'never' ? null : start, desired: 0, desiredAt: start, applied: 0, reportedAt: start, allHealthy: true, anyFailed: g.behaviour === 'broken-before', newVersionFailed: false, healthyRevision: 0, failedRevision: 0, windows: WINDOWS[g.windows] ?? [], approved: false },
    ]),
  );
  let rollout: Rollout = { status: 'pending', stageCount, strategy };
  let targets: (Target & { stageRevision: number | null; waitingSince: number | null })[] = ids.map((id, i) => ({ installationId: id, requiredStages: agents[i]?.requiredStages ?? [], step: 0, wave: waves.get(id) ?? 0, status: 'pending' as Target['status'], waitingFor: null, stage: 0, stageSentAt: null, stageHealth: 'pending' as const, online: true, offlineSince: null, approved: false, inWindow: true, nextWindowAt: null, finishedAt: null, stageRevision: null as number | null, waitingSince: null as number | null }));
  const sent = new Set<string>();
  /** Since when each target has waited for its agent, the agent offline all along (harness view). */
  const offlineWait = new Map<string, number>();
  let now = start;
  let wake: number | null = null;
  let index = 0;

  const step = (noise: number, cooperative: boolean) => {
    steps += 1;
    for (const [i, id] of ids.entries()) {
      const a = sims.get(id) as Sim;
      if (index >= (agents[i]?.approvesAfter ?? 0) || cooperative) a.approved = true;
      act(a, now, noise + i * 7);
    }
    const input = targets.map((t) => plannerTarget(row(t, sims.get(t.installationId) as Sim), now));
    const expected = modelStep({ rollout, targets: input }, now);
    const actions = plan(rollout, input, now);
    const after = applyActions(rollout, input, actions, now);

    // The planner decides what the model decides.
    expect(after.rollout.status, 'rollout status').toBe(expected.rollout.status);
    expect(comparable(after.targets)).toEqual(comparable(expected.targets));
    checkInvariants(rollout, input, actions, after.targets, now);
    // Every unfinished target of a moving rollout says what it waits for.
    const facts = { customerName: 'Acme', timeZone: null, failing: [], waitingSince: null, releaseReady: true };
    for (const [id, b] of explainTargets(after.rollout, after.targets, () => facts, now)) {
      const t = after.targets.find((x) => x.installationId === id) as Target;
      const moving = after.rollout.status === 'running' || after.rollout.status === 'pending';
      expect(b === null, `${id} (${t.status}) explained as ${JSON.stringify(b)}`).toBe(!moving || isFinished(t));
      if (b?.reason === 'window') expect(b.until).toBe(t.nextWindowAt === null ? null : new Date(t.nextWindowAt).toISOString());
    }

    // The engine's side: a stage sent is a new desired revision for the agent.
    const byId = new Map(targets.map((t) => [t.installationId, t]));
    targets = after.targets.map((t) => {
      const before = byId.get(t.installationId);
      const a = sims.get(t.installationId) as Sim;
      const send = actions.find((x): x is Extract<Action, { type: 'send-stage' | 'rollback-stage' }> => (x.type === 'send-stage' || x.type === 'rollback-stage') && x.installationId === t.installationId);
      const waits = actions.some((x) => x.type === 'wait' && x.installationId === t.installationId);
      const waitingSince = waits ? now : (before?.waitingSince ?? null);
      if (!send) return { ...t, stageRevision: before?.stageRevision ?? null, waitingSince };
      const key = `${t.installationId}/${send.type}/${t.step ?? 0}/${send.stage}`;
      expect(sent.has(key), `${key} sent twice`).toBe(false);
      sent.add(key);
      a.desired += 1;
      a.desiredAt = now;
      return { ...t, stageRevision: a.desired, waitingSince };
    });
    // Offline agents do not stall a rollout: past offlineTimeoutSeconds of waiting they are skipped.
    // Except while a rollback rollout stops (past its budget): then nothing new starts, and what
    // never started is skipped once the rollbacks in flight end, whatever its agent does.
    const stopping = strategy.failurePolicy === 'rollback' && failureCount(targets) > strategy.maxFailures;
    for (const t of targets) {
      const a = sims.get(t.installationId) as Sim;
      if (t.status !== 'waiting' || t.waitingFor !== 'agent' || a.online) offlineWait.delete(t.installationId);
      else if (!offlineWait.has(t.installationId)) offlineWait.set(t.installationId, now);
      const since = offlineWait.get(t.installationId);
      if (since !== undefined && after.rollout.status === 'running' && !stopping) {
        expect(now < since + strategy.offlineTimeoutSeconds * 1000, `${t.installationId} waits for its offline agent since ${since}, past the timeout`).toBe(true);
        const next = actions.find((x): x is Extract<Action, { type: 'wake-at' }> => x.type === 'wake-at')?.at;
        expect(next, `${t.installationId} waits for its agent with no wake-up`).toBeLessThanOrEqual(since + strategy.offlineTimeoutSeconds * 1000);
      }
    }
    rollout = after.rollout;
    wake = actions.find((a): a is Extract<Action, { type: 'wake-at' }> => a.type === 'wake-at')?.at ?? null;
  };

  /** Every decision the planner made is allowed by what the agents really reported. */
  function checkInvariants(r: Rollout, before: readonly Target[], actions: readonly Action[], after: readonly Target[], at: number): void {
    if (r.status === 'paused') {
      // A paused rollout carries only its rollbacks on.
      const rollingBack = new Set(before.filter((t) => t.status === 'rolling_back').map((t) => t.installationId));
      for (const a of actions) if (a.type !== 'wake-at') expect('installationId' in a && rollingBack.has(a.installationId), `a paused rollout acts: ${JSON.stringify(a)}`).toBe(true);
    } else if (r.status !== 'pending' && r.status !== 'running') expect(actions, `a ${r.status} rollout acts`).toEqual([]);
    // Under rollback, failures never pause the rollout: it stops and ends rolled back by itself.
    if (strategy.failurePolicy === 'rollback') expect(actions.some((a) => a.type === 'pause'), 'a rollback rollout paused itself').toBe(false);
    expect(after.filter((t) => t.status === 'deploying' || t.status === 'rolling_back').length, 'maxParallel').toBeLessThanOrEqual(strategy.maxParallel);
    const prior = new Map(before.map((t) => [t.installationId, t]));
    const stored = new Map(targets.map((t) => [t.installationId, t]));
    for (const a of actions) {
      if (!('installationId' in a)) continue;
      const t = prior.get(a.installationId) as Target;
      const sim = sims.get(a.installationId) as Sim;
      const revision = stored.get(a.installationId)?.stageRevision ?? 0;
      expect(isFinished(t), `${a.type} on a finished target`).toBe(false);
      const advances = (a.type === 'send-stage' && (a.stage > 1 || (a.step ?? 0) > 0)) || a.type === 'succeeded' || a.type === 'rolled-back' || (a.type === 'rollback-stage' && t.status === 'rolling_back');
      // a gate counts only the health of the revision it sent
      if (advances) expect(sim.healthyRevision, `${a.type} ${a.installationId}: healthy revision ≥ the stage's`).toBeGreaterThanOrEqual(revision);
      const failedReport = (a.type === 'failed' && a.reason.endsWith('failed')) || (a.type === 'rollback-stage' && t.status === 'deploying' && t.stageHealth === 'failed');
      if (failedReport) expect(sim.failedRevision, `${a.type} ${a.installationId}: failed revision ≥ the stage's`).toBeGreaterThanOrEqual(revision);
      if (a.type === 'send-stage' && (a.step ?? 0) !== (t.status === 'deploying' ? (t.step ?? 0) : 0)) {
        // a required release fully healthy before the next release starts, one step at a time, from stage 1
        expect(t.stage, `the next step only after the last stage of the one before: ${JSON.stringify(t)} ${JSON.stringify(a)}`).toBe(t.requiredStages?.[t.step ?? 0] ?? 0);
        expect([a.step, a.stage]).toEqual([(t.step ?? 0) + 1, 1]);
      }
      if (a.type === 'send-stage' && a.stage === 1 && (a.step ?? 0) === 0) {
        // no wave starts before the previous one finished and soaked
        const earlier = after.filter((x) => x.wave < t.wave);
        expect(earlier.every(isFinished), 'earlier waves finished').toBe(true);
        if (earlier.length > 0) expect(at).toBeGreaterThanOrEqual(Math.max(...earlier.map((x) => x.finishedAt ?? 0)) + strategy.soakSeconds * 1000);
        expect(sim.online, 'stage sent to an offline agent').toBe(true);
      }
    }
  }

  for (const s of script) {
    now += s.dtMs >= 0 ? s.dtMs : Math.max(0, (wake ?? now) - now);
    if (s.control === 'pause' && rollout.status === 'running') rollout = { ...rollout, status: 'paused' };
    if (s.control === 'resume' && rollout.status === 'paused') rollout = { ...rollout, status: 'running' };
    if (s.control === 'abort' && (rollout.status === 'running' || rollout.status === 'paused' || rollout.status === 'pending')) rollout = { ...rollout, status: 'aborted' };
    step(s.noise, false);
    index += 1;
  }

  // Then the world cooperates: every agent good and online, approved, no windows. A running
  // rollout must finish, or pause on its failures, by following its own wake-ups.
  for (const a of sims.values()) Object.assign(a, { behaviour: 'good', online: true, windows: [], delayMs: 0 });
  // An operator resumes a paused rollout; past its failure budget (continue) it pauses again at once.
  const overBudget = () => strategy.failurePolicy === 'continue' && failureCount(targets) > strategy.maxFailures;
  for (let i = 0; i < 400 && rollout.status !== 'completed' && rollout.status !== 'aborted' && rollout.status !== 'rolled_back'; i++) {
    if (rollout.status === 'paused') {
      if (overBudget() && !targets.some((t) => t.status === 'rolling_back')) break;
      rollout = { ...rollout, status: 'running' };
    }
    now = Math.max(now + 1000, wake ?? 0);
    step(i, true);
  }
  for (const t of targets) outcomes.set(t.status, (outcomes.get(t.status) ?? 0) + 1);
  outcomes.set(`rollout ${rollout.status}`, (outcomes.get(`rollout ${rollout.status}`) ?? 0) + 1);
  const ended = rollout.status === 'completed' || rollout.status === 'aborted' || rollout.status === 'rolled_back' || (rollout.status === 'paused' && overBudget());
  expect(ended, `the rollout ended ${rollout.status}, targets ${JSON.stringify(comparable(targets))}`).toBe(true);
  if (rollout.status === 'rolled_back') {
    // It says so only when it went past its budget under rollback, and then nothing is left in flight or waiting.
    expect(strategy.failurePolicy === 'rollback' && failureCount(targets) > strategy.maxFailures).toBe(true);
    expect(targets.filter((t) => !isFinished(t)), 'unfinished targets of a rolled-back rollout').toEqual([]);
  }
  // A target succeeds only on the rollout's release, after every required release before it.
  for (const t of targets) if (t.status === 'succeeded') expect([t.step ?? 0, t.stage]).toEqual([t.requiredStages?.length ?? 0, stageCount]);
  // Under rollback, every installation that failed either walked back or failed to (never left midway).
  if (strategy.failurePolicy === 'rollback' && rollout.status !== 'aborted') expect(targets.filter((t) => t.status === 'rolling_back')).toEqual([]);
}

describe('the planner against the reference model', () => {
  it('decides what the model decides, and keeps the invariants, over random fleets, clocks and agents', { timeout: 120_000 }, () => {
    fc.assert(
      fc.property(
        strategyArb,
        fc.integer({ min: 1, max: 3 }),
        fc.array(agentArb, { minLength: 1, maxLength: 12 }),
        fc.array(stepArb, { minLength: 5, maxLength: 60 }),
        fc.integer({ min: Date.parse('2026-01-01T00:00:00Z'), max: Date.parse('2027-12-31T00:00:00Z') }),
        (strategy, stageCount, agents, script, start) => runCase(strategy, stageCount, agents, script, start),
      ),
      // MODEL_SEED (+ MODEL_PATH) replays a failure CI printed.
      { numRuns: Number(process.env.MODEL_RUNS ?? 300), ...(process.env.MODEL_SEED ? { seed: Number(process.env.MODEL_SEED), path: process.env.MODEL_PATH, endOnFailure: true } : {}) },
    );
  });
});

/**
 * The rollout planner: given a rollout, its targets' current states and the time, the next actions.
 * Pure: no I/O, no clock (time is an argument). The engine persists what it returns and calls it
 * again whenever something changes (an agent report, a timer, pause/resume/abort).
 *
 * Rules (stated one by one in reference-model.ts): waves run in order, a wave starts only when
 * every earlier target has finished and the previous wave has soaked; within a wave at most `maxParallel` installations
 * deploy at once; per installation, stage k+1 is sent only once stage k is healthy; a stage not
 * healthy within `healthTimeoutSeconds` has failed; failures pause, roll back or continue (up to
 * `maxFailures`); targets wait for their maintenance window, their customer's approval and their
 * agent (past `offlineTimeoutSeconds` offline they are skipped). Under `rollback`, more failures
 * than `maxFailures` stop the rollout: nothing new starts, what is in flight finishes (failed
 * installations walk back to what they ran before), then the rollout ends `rolled_back`. A paused
 * rollout only carries its rollbacks to their end; an aborted or finished one does nothing.
 *
 * Required releases: a target behind required releases runs them first, one step each (stages in
 * release order, each healthy before the next; the last stage of a step healthy, the next step's
 * stage 1), then the rollout's release. A rollback undoes only the step in flight: the steps before
 * it are required releases the installation completed, so it never goes back below them.
 */

import {
  ACTIVE_TARGET_STATUSES,
  DEFAULT_ROLLOUT_STRATEGY,
  FAILURE_TARGET_STATUSES,
  FINISHED_TARGET_STATUSES,
  type FailurePolicy,
  type RolloutStatus,
  type TargetStatus,
  type WaitingFor,
} from '@flotilla/protocol';

export type { RolloutStatus, TargetStatus, WaitingFor };

export type Wave = { count: number } | { percent: number } | { installationIds: string[] };

export interface Strategy {
  waves: Wave[];
  maxParallel: number;
  soakSeconds: number;
  healthTimeoutSeconds: number;
  failurePolicy: FailurePolicy;
  maxFailures: number;
  respectMaintenanceWindows: boolean;
  requireCustomerApproval: boolean;
  offlineTimeoutSeconds: number;
}

/** The protocol's defaults (the vocabulary lives in one place). */
export const DEFAULT_STRATEGY: Strategy = { ...DEFAULT_ROLLOUT_STRATEGY, waves: DEFAULT_ROLLOUT_STRATEGY.waves.map((w) => ({ ...w })) };

export interface Target {
  installationId: string;
  /** 0-based wave index. */
  wave: number;
  status: TargetStatus;
  waitingFor: WaitingFor | null;
  /** Stage in flight (1-based) while deploying or rolling back; 0 before the first. */
  stage: number;
  stageSentAt: number | null;
  /** What the agent reported for `stage` since it was sent. */
  stageHealth: 'pending' | 'healthy' | 'failed';
  online: boolean;
  /** Null when its agent is online, or was never seen and nothing waited for it yet. */
  offlineSince: number | null;
  approved: boolean;
  /** Evaluated by the caller from the installation's maintenance windows at `now`. */
  inWindow: boolean;
  nextWindowAt: number | null;
  finishedAt: number | null;
  /** Stage counts of the required releases it runs before the rollout's release (none: straight there). */
  requiredStages?: readonly number[];
  /** The release it is on: 0-based into `requiredStages`; `requiredStages.length` = the rollout's release. */
  step?: number;
}

export interface Rollout {
  status: RolloutStatus;
  /** Number of stages in the release. */
  stageCount: number;
  strategy: Strategy;
}

export type Action =
  | { type: 'start' }
  | { type: 'wait'; installationId: string; waitingFor: WaitingFor }
  /** `step`: which release of the target's path (see Target.step); absent when it has no required steps. */
  | { type: 'send-stage'; installationId: string; stage: number; step?: number }
  /** `reason`: set on the first rollback step, why the installation failed. */
  | { type: 'rollback-stage'; installationId: string; stage: number; reason?: string }
  | { type: 'succeeded'; installationId: string }
  | { type: 'failed'; installationId: string; reason: string }
  | { type: 'rolled-back'; installationId: string }
  | { type: 'skipped'; installationId: string; reason: string }
  | { type: 'pause'; reason: string }
  | { type: 'complete' }
  /** Failures exceeded maxFailures under `rollback`, and every failed installation was rolled back. */
  | { type: 'end-rolled-back'; reason: string }
  | { type: 'wake-at'; at: number };

const FINISHED: ReadonlySet<TargetStatus> = new Set(FINISHED_TARGET_STATUSES);
const ACTIVE: ReadonlySet<TargetStatus> = new Set(ACTIVE_TARGET_STATUSES);
const FAILURES: ReadonlySet<TargetStatus> = new Set(FAILURE_TARGET_STATUSES);

export const isFinished = (t: Pick<Target, 'status'>) => FINISHED.has(t.status);

/** The stage count of the release the target is on (a required step's, or the rollout's). */
export function stepStageCount(rollout: Pick<Rollout, 'stageCount'>, t: Pick<Target, 'requiredStages' | 'step'>): number {
  return t.requiredStages?.[t.step ?? 0] ?? rollout.stageCount;
}

/** Whether the target's step is a required release with another release after it. */
const hasNextStep = (t: Pick<Target, 'requiredStages' | 'step'>) => (t.step ?? 0) < (t.requiredStages?.length ?? 0);

/** The step field of a send-stage action: only targets with required steps carry one. */
const stepOf = (t: Pick<Target, 'requiredStages'>, step: number) => ((t.requiredStages?.length ?? 0) > 0 ? { step } : {});

/** Failures so far: failed, rolling back and rolled back targets. */
export const failureCount = (targets: readonly Pick<Target, 'status'>[]) => targets.filter((t) => FAILURES.has(t.status)).length;

/** Under `rollback`, past the failure budget the rollout stops: nothing new starts, it ends rolled back. */
export const stopsOnFailures = (s: Pick<Strategy, 'failurePolicy' | 'maxFailures'>, targets: readonly Pick<Target, 'status'>[]) => s.failurePolicy === 'rollback' && failureCount(targets) > s.maxFailures;

const budgetMessage = (failures: number, s: Pick<Strategy, 'maxFailures'>) => `${failures} failure${failures === 1 ? '' : 's'} exceed${failures === 1 ? 's' : ''} maxFailures (${s.maxFailures})`;

/**
 * Splits targets into waves, in the given order: a count, a percentage of the targets not yet in a
 * wave (at least one), or explicit ids. Targets left after the last wave join it.
 */
export function assignWaves(installationIds: readonly string[], waves: readonly Wave[]): Map<string, number> {
  const out = new Map<string, number>();
  const list = waves.length > 0 ? waves : DEFAULT_STRATEGY.waves;
  let rest = [...installationIds];
  list.forEach((wave, index) => {
    let taken: string[];
    if ('installationIds' in wave) {
      const wanted = new Set(wave.installationIds);
      taken = rest.filter((id) => wanted.has(id));
    } else if ('count' in wave) {
      taken = rest.slice(0, Math.max(0, wave.count));
    } else {
      taken = rest.length === 0 ? [] : rest.slice(0, Math.max(1, Math.ceil((rest.length * wave.percent) / 100)));
    }
    const takenSet = new Set(taken);
    for (const id of taken) out.set(id, index);
    rest = rest.filter((id) => !takenSet.has(id));
  });
  for (const id of rest) out.set(id, list.length - 1);
  return out;
}

/** The next actions. Never mutates its arguments. */
export function plan(rollout: Rollout, targets: readonly Target[], now: number): Action[] {
  const paused = rollout.status === 'paused';
  if (rollout.status !== 'running' && rollout.status !== 'pending' && !paused) return [];
  const s = rollout.strategy;
  const actions: Action[] = [];
  const wakes: number[] = [];
  if (rollout.status === 'pending') actions.push({ type: 'start' });

  // What each target's state becomes after this round's decisions, for counting.
  const next = new Map(targets.map((t) => [t.installationId, t.status]));
  const finishedAt = new Map(targets.map((t) => [t.installationId, t.finishedAt]));
  let newFailures = 0;

  for (const t of targets) {
    // A paused rollout still carries rollbacks to their end: they restore what ran before.
    if (!ACTIVE.has(t.status) || (paused && t.status !== 'rolling_back')) continue;
    const sentAt = t.stageSentAt ?? now;
    const timedOut = t.stageHealth !== 'healthy' && now >= sentAt + s.healthTimeoutSeconds * 1000;
    const offlineTooLong = !t.online && t.offlineSince !== null && now >= t.offlineSince + s.offlineTimeoutSeconds * 1000;
    if (t.status === 'deploying') {
      if (t.stageHealth === 'healthy') {
        if (t.stage < stepStageCount(rollout, t)) actions.push({ type: 'send-stage', installationId: t.installationId, stage: t.stage + 1, ...stepOf(t, t.step ?? 0) });
        else if (hasNextStep(t)) actions.push({ type: 'send-stage', installationId: t.installationId, stage: 1, step: (t.step ?? 0) + 1 });
        else {
          actions.push({ type: 'succeeded', installationId: t.installationId });
          next.set(t.installationId, 'succeeded');
          finishedAt.set(t.installationId, now);
        }
      } else if (t.stageHealth === 'failed' || timedOut) {
        const reason = t.stageHealth === 'failed' ? `stage ${t.stage} failed` : `stage ${t.stage} not healthy within ${s.healthTimeoutSeconds} s`;
        newFailures += 1;
        if (s.failurePolicy === 'rollback') {
          actions.push({ type: 'rollback-stage', installationId: t.installationId, stage: t.stage, reason });
          next.set(t.installationId, 'rolling_back');
        } else {
          actions.push({ type: 'failed', installationId: t.installationId, reason });
          next.set(t.installationId, 'failed');
          finishedAt.set(t.installationId, now);
        }
      } else if (offlineTooLong) {
        actions.push({ type: 'skipped', installationId: t.installationId, reason: `agent offline for more than ${s.offlineTimeoutSeconds} s` });
        next.set(t.installationId, 'skipped');
        finishedAt.set(t.installationId, now);
      } else {
        wakes.push(sentAt + s.healthTimeoutSeconds * 1000);
        if (!t.online && t.offlineSince !== null) wakes.push(t.offlineSince + s.offlineTimeoutSeconds * 1000);
      }
    } else {
      // rolling back: stages in reverse order, each must be healthy before the one below it
      if (t.stageHealth === 'healthy') {
        if (t.stage > 1) actions.push({ type: 'rollback-stage', installationId: t.installationId, stage: t.stage - 1 });
        else {
          actions.push({ type: 'rolled-back', installationId: t.installationId });
          next.set(t.installationId, 'rolled_back');
          finishedAt.set(t.installationId, now);
        }
      } else if (t.stageHealth === 'failed' || timedOut || offlineTooLong) {
        actions.push({ type: 'failed', installationId: t.installationId, reason: `rollback of stage ${t.stage} did not become healthy` });
        next.set(t.installationId, 'failed');
        finishedAt.set(t.installationId, now);
      } else {
        wakes.push(sentAt + s.healthTimeoutSeconds * 1000);
      }
    }
  }

  if (paused) return finish(actions, wakes, now, s);

  const failures = failureCount(targets) + newFailures;
  const overBudget = s.failurePolicy === 'pause' ? newFailures > 0 : failures > s.maxFailures;
  if (overBudget && s.failurePolicy === 'rollback') {
    // Stopping: in-flight stages and rollbacks go on; once none is left, what never started is
    // skipped and the rollout ends rolled back. No manual step.
    if (targets.some((t) => ACTIVE.has(next.get(t.installationId) ?? t.status))) return finish(actions, wakes, now, s);
    const reason = `${budgetMessage(failures, s)}: failed installations rolled back`;
    for (const t of targets) {
      if (FINISHED.has(next.get(t.installationId) ?? t.status)) continue;
      actions.push({ type: 'skipped', installationId: t.installationId, reason: `not started: ${reason}` });
    }
    actions.push({ type: 'end-rolled-back', reason });
    return actions.filter((a) => a.type !== 'wake-at');
  }
  if (overBudget) {
    // In-flight stages keep going (their results still count); nothing new starts.
    actions.push({ type: 'pause', reason: s.failurePolicy === 'pause' ? 'an installation failed' : budgetMessage(failures, s) });
    return finish(actions, wakes, now, s);
  }

  // The current wave: the lowest with an unfinished target. Earlier waves must be done and soaked.
  const unfinished = targets.filter((t) => !FINISHED.has(next.get(t.installationId) ?? t.status));
  if (unfinished.length === 0) {
    actions.push({ type: 'complete' });
    return finish(actions, [], now, s).filter((a) => a.type !== 'wake-at');
  }
  const { wave, startsAt: soakedAt } = currentWave(
    targets.map((t) => ({ wave: t.wave, status: next.get(t.installationId) ?? t.status, finishedAt: finishedAt.get(t.installationId) ?? null })),
    s.soakSeconds,
    now,
  ) ?? { wave: 0, startsAt: now };
  if (now < soakedAt) {
    actions.push({ type: 'wake-at', at: soakedAt });
    return finish(actions, wakes, now, s);
  }

  let slots = s.maxParallel - targets.filter((t) => ACTIVE.has(next.get(t.installationId) ?? t.status)).length;
  for (const t of targets) {
    if (t.wave !== wave || (t.status !== 'pending' && t.status !== 'waiting')) continue;
    const waitFor = blocker(t, s);
    if (waitFor === 'agent' && t.offlineSince !== null && now >= t.offlineSince + s.offlineTimeoutSeconds * 1000) {
      actions.push({ type: 'skipped', installationId: t.installationId, reason: `agent offline for more than ${s.offlineTimeoutSeconds} s` });
      next.set(t.installationId, 'skipped');
      continue;
    }
    if (waitFor) {
      if (t.status !== 'waiting' || t.waitingFor !== waitFor) actions.push({ type: 'wait', installationId: t.installationId, waitingFor: waitFor });
      if (waitFor === 'window' && t.nextWindowAt !== null) wakes.push(t.nextWindowAt);
      // An agent never seen is offline from now on (the engine records when the wait began).
      if (waitFor === 'agent') wakes.push((t.offlineSince ?? now) + s.offlineTimeoutSeconds * 1000);
      continue;
    }
    if (slots <= 0) continue;
    actions.push({ type: 'send-stage', installationId: t.installationId, stage: 1, ...stepOf(t, 0) });
    slots -= 1;
  }
  if (targets.every((t) => FINISHED.has(next.get(t.installationId) ?? t.status))) {
    actions.push({ type: 'complete' });
    return actions.filter((a) => a.type !== 'wake-at');
  }
  return finish(actions, wakes, now, s);
}

/**
 * The current wave (the lowest with an unfinished target) and when it may start: once every
 * earlier target has finished, `soakSeconds` after the last of them did. Null when all finished.
 */
export function currentWave(targets: readonly Pick<Target, 'wave' | 'status' | 'finishedAt'>[], soakSeconds: number, now: number): { wave: number; startsAt: number } | null {
  let wave = Infinity;
  for (const t of targets) if (!FINISHED.has(t.status) && t.wave < wave) wave = t.wave;
  if (wave === Infinity) return null;
  let last = -Infinity;
  for (const t of targets) if (t.wave < wave) last = Math.max(last, t.finishedAt ?? now);
  return { wave, startsAt: last === -Infinity ? now : last + soakSeconds * 1000 };
}

function blocker(t: Target, s: Strategy): WaitingFor | null {
  if (s.requireCustomerApproval && !t.approved) return 'approval';
  if (s.respectMaintenanceWindows && !t.inWindow) return 'window';
  if (!t.online) return 'agent';
  return null;
}

/** Adds one wake-up: the earliest deadline, including the health timeout of every stage sent now. */
function finish(actions: Action[], wakes: number[], now: number, s: Strategy): Action[] {
  for (const a of actions) if (a.type === 'send-stage' || a.type === 'rollback-stage') wakes.push(now + s.healthTimeoutSeconds * 1000);
  if (wakes.length > 0 && !actions.some((a) => a.type === 'wake-at')) actions.push({ type: 'wake-at', at: Math.min(...wakes) });
  return actions;
}

/**
 * Applies actions to the targets (what the engine persists). Pure; used by the engine and by the
 * property tests to step a simulated fleet.
 */
export function applyActions(rollout: Rollout, targets: readonly Target[], actions: readonly Action[], now: number): { rollout: Rollout; targets: Target[] } {
  let status = rollout.status;
  const byId = new Map(targets.map((t) => [t.installationId, { ...t }]));
  for (const a of actions) {
    if (a.type === 'start') status = 'running';
    else if (a.type === 'pause') status = 'paused';
    else if (a.type === 'complete') status = 'completed';
    else if (a.type === 'end-rolled-back') status = 'rolled_back';
    else if (a.type === 'wake-at') continue;
    else {
      const t = byId.get(a.installationId);
      if (!t) continue;
      switch (a.type) {
        case 'wait':
          Object.assign(t, { status: 'waiting', waitingFor: a.waitingFor });
          break;
        case 'send-stage':
          Object.assign(t, { status: 'deploying', waitingFor: null, stage: a.stage, stageSentAt: now, stageHealth: 'pending', ...(a.step !== undefined ? { step: a.step } : {}) });
          break;
        case 'rollback-stage':
          Object.assign(t, { status: 'rolling_back', waitingFor: null, stage: a.stage, stageSentAt: now, stageHealth: 'pending' });
          break;
        case 'succeeded':
          Object.assign(t, { status: 'succeeded', finishedAt: now });
          break;
        case 'failed':
          Object.assign(t, { status: 'failed', finishedAt: now });
          break;
        case 'rolled-back':
          Object.assign(t, { status: 'rolled_back', finishedAt: now });
          break;
        case 'skipped':
          Object.assign(t, { status: 'skipped', waitingFor: null, finishedAt: now });
          break;
      }
    }
  }
  return { rollout: { ...rollout, status }, targets: targets.map((t) => byId.get(t.installationId) ?? t) };
}

/**
 * The rollout semantics, written to be read rather than to be fast: one step of a
 * rollout, target by target, in plain rules. The planner (planner.ts) must decide exactly what this
 * model decides; `planner.model.test.ts` runs both over random fleets, strategies, clocks and agent
 * behaviours and compares them after every step. When they disagree, one of them is wrong: fix the
 * one that breaks a rule written here, or this text if the rule itself was wrong.
 *
 * Rules, in the order a step applies them:
 * 1. Only a pending or running rollout moves; a pending one starts. A paused one moves only its
 *    targets rolling back (rule 2), and nothing else.
 * 2. A target deploying stage k: healthy → stage k+1, or succeeded after the last stage; failed, or
 *    not healthy within healthTimeoutSeconds → under `rollback` it rolls back from stage k, else it
 *    failed; its agent offline past offlineTimeoutSeconds → skipped. A target rolling back stage k:
 *    healthy → stage k-1, or rolled back after stage 1; failed, timed out or offline → failed.
 *    A target behind required releases deploys each of them in turn (its stage count is that
 *    release's): after the last stage of a required release, stage 1 of the next one; only after
 *    the rollout's own release does it succeed. A rollback stays within the release in flight.
 * 3. Failure budget: under `pause`, any new failure pauses the rollout; under `continue`, more
 *    failures (failed, rolled back, rolling back) than maxFailures pause it. Under `rollback`, more
 *    failures than maxFailures stop it: nothing new starts, and once no target is deploying or
 *    rolling back, every target not finished is skipped and the rollout ends rolled_back.
 * 4. When every target has finished (succeeded, failed, rolled back, skipped) the rollout completes.
 * 5. The current wave is the lowest one with an unfinished target; it starts once every earlier
 *    target has finished and soakSeconds have passed since the last of them finished.
 * 6. Targets of the current wave not started yet, in order: one that needs its customer's approval
 *    waits for it; then one outside its maintenance window waits for it; then one whose agent is
 *    offline waits for it, and is skipped once offline past offlineTimeoutSeconds (measured from
 *    when it was last seen, or from when the rollout first waited for it if it never was); any other
 *    one gets stage 1 if fewer than maxParallel targets are deploying or rolling back.
 */
import { ACTIVE_TARGET_STATUSES, FAILURE_TARGET_STATUSES, FINISHED_TARGET_STATUSES } from '@flotilla/protocol';
import type { Rollout, Target, TargetStatus } from './planner.js';

export interface ModelState {
  rollout: Rollout;
  targets: Target[];
}

// The vocabulary (which statuses are finished, in flight, failures) is the protocol's; the rules are here.
const finished = (s: TargetStatus) => (FINISHED_TARGET_STATUSES as readonly TargetStatus[]).includes(s);
const busy = (s: TargetStatus) => (ACTIVE_TARGET_STATUSES as readonly TargetStatus[]).includes(s);
const failure = (s: TargetStatus) => (FAILURE_TARGET_STATUSES as readonly TargetStatus[]).includes(s);

/** One step of the rollout at `now`: the state the planner's actions must lead to. */
export function modelStep(state: ModelState, now: number): ModelState {
  const rollout = { ...state.rollout };
  const targets = state.targets.map((t) => ({ ...t }));
  const s = rollout.strategy;
  const paused = rollout.status === 'paused';
  if (rollout.status !== 'pending' && rollout.status !== 'running' && !paused) return { rollout, targets };
  if (!paused) rollout.status = 'running';

  const end = (t: Target, status: TargetStatus) => Object.assign(t, { status, finishedAt: now, waitingFor: null });
  const send = (t: Target, status: 'deploying' | 'rolling_back', stage: number, step = t.step) => Object.assign(t, { status, stage, stageSentAt: now, stageHealth: 'pending', waitingFor: null, ...(step !== undefined ? { step } : {}) });
  const steps = (t: Target) => t.requiredStages ?? [];
  const stagesNow = (t: Target) => steps(t)[t.step ?? 0] ?? rollout.stageCount;
  const offlineTooLong = (t: Target) => !t.online && now >= (t.offlineSince ?? now) + s.offlineTimeoutSeconds * 1000 && t.offlineSince !== null;

  // 2. targets in flight
  let newFailures = 0;
  for (const t of targets) {
    if (!busy(t.status) || (paused && t.status !== 'rolling_back')) continue;
    const timedOut = now >= (t.stageSentAt ?? now) + s.healthTimeoutSeconds * 1000;
    if (t.status === 'deploying') {
      if (t.stageHealth === 'healthy') {
        if (t.stage < stagesNow(t)) send(t, 'deploying', t.stage + 1);
        else if ((t.step ?? 0) < steps(t).length) send(t, 'deploying', 1, (t.step ?? 0) + 1);
        else end(t, 'succeeded');
      } else if (t.stageHealth === 'failed' || timedOut) {
        newFailures += 1;
        if (s.failurePolicy === 'rollback') send(t, 'rolling_back', t.stage);
        else end(t, 'failed');
      } else if (offlineTooLong(t)) end(t, 'skipped');
    } else if (t.stageHealth === 'healthy') {
      if (t.stage > 1) send(t, 'rolling_back', t.stage - 1);
      else end(t, 'rolled_back');
    } else if (t.stageHealth === 'failed' || timedOut || offlineTooLong(t)) end(t, 'failed');
  }

  if (paused) return { rollout, targets };

  // 3. failure budget
  const failures = targets.filter((t) => failure(t.status)).length;
  if (s.failurePolicy === 'rollback' && failures > s.maxFailures) {
    if (targets.some((t) => busy(t.status))) return { rollout, targets };
    for (const t of targets) if (!finished(t.status)) end(t, 'skipped');
    rollout.status = 'rolled_back';
    return { rollout, targets };
  }
  if (s.failurePolicy === 'pause' ? newFailures > 0 : failures > s.maxFailures) {
    rollout.status = 'paused';
    return { rollout, targets };
  }

  // 4. done?
  if (targets.every((t) => finished(t.status))) {
    rollout.status = 'completed';
    return { rollout, targets };
  }

  // 5. the current wave, once the earlier ones finished and soaked
  const wave = Math.min(...targets.filter((t) => !finished(t.status)).map((t) => t.wave));
  const earlier = targets.filter((t) => t.wave < wave);
  const lastFinished = Math.max(-Infinity, ...earlier.map((t) => t.finishedAt ?? now));
  if (earlier.length > 0 && now < lastFinished + s.soakSeconds * 1000) return { rollout, targets };

  // 6. start what may start
  for (const t of targets) {
    if (t.wave !== wave || (t.status !== 'pending' && t.status !== 'waiting')) continue;
    if (s.requireCustomerApproval && !t.approved) Object.assign(t, { status: 'waiting', waitingFor: 'approval' });
    else if (s.respectMaintenanceWindows && !t.inWindow) Object.assign(t, { status: 'waiting', waitingFor: 'window' });
    else if (!t.online && offlineTooLong(t)) end(t, 'skipped');
    else if (!t.online) Object.assign(t, { status: 'waiting', waitingFor: 'agent' });
    else if (targets.filter((x) => busy(x.status)).length < s.maxParallel) send(t, 'deploying', 1, steps(t).length > 0 ? 0 : undefined);
  }
  if (targets.every((t) => finished(t.status))) rollout.status = 'completed';
  return { rollout, targets };
}

import type { TargetBlocker } from '@flotilla/protocol';
import { currentWave, failureCount, isFinished, stopsOnFailures, type Rollout, type RolloutStatus, type Target } from './planner.js';

/** What the planner's view of a target does not hold, and an explanation needs. */
export interface BlockerFacts {
  customerName: string;
  /** The zone of the installation's maintenance windows (the first one's), if any. */
  timeZone: string | null;
  /** Components reported not healthy (only read for targets in flight). */
  failing: TargetBlocker['failing'];
  waitingSince: number | null;
  /** The release may start new installations (not on hold or rescinded). */
  releaseReady: boolean;
}

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

function blocker(reason: TargetBlocker['reason'], message: string, more: Partial<Omit<TargetBlocker, 'reason' | 'message'>> = {}): TargetBlocker {
  return { reason, message, since: null, until: null, by: null, timeZone: null, failing: [], ...more };
}

/**
 * Pure: what each unfinished target of a moving rollout waits for, after the planner's step (so
 * `targets` are the targets as the step left them). Every unfinished target gets a reason: that is
 * an invariant of the property suite (planner.model.test.ts).
 */
export function explainTargets(rollout: Rollout, targets: readonly Target[], facts: (installationId: string) => BlockerFacts, now: number): Map<string, TargetBlocker | null> {
  const out = new Map<string, TargetBlocker | null>();
  const s = rollout.strategy;
  const gate = currentWave(targets, s.soakSeconds, now);
  let slotsUsed = targets.filter((t) => t.status === 'deploying' || t.status === 'rolling_back').length;
  const stopping = stopsOnFailures(s, targets);
  for (const t of targets) {
    if (isFinished(t) || (rollout.status !== 'running' && rollout.status !== 'pending')) {
      out.set(t.installationId, null);
      continue;
    }
    const f = facts(t.installationId);
    const skipAt = (since: number | null) => iso((since ?? f.waitingSince ?? now) + s.offlineTimeoutSeconds * 1000);
    const offline = () =>
      blocker('agent', t.offlineSince === null ? `waits for its agent, which has never connected; skipped at ${skipAt(null)} if it does not` : `waits for its agent, offline since ${iso(t.offlineSince)}; skipped at ${skipAt(t.offlineSince)} if it stays offline`, {
        since: iso(t.offlineSince ?? f.waitingSince),
        until: skipAt(t.offlineSince),
      });
    if (t.status === 'deploying' || t.status === 'rolling_back') {
      if (!t.online) out.set(t.installationId, offline());
      else {
        const deadline = iso((t.stageSentAt ?? now) + s.healthTimeoutSeconds * 1000);
        const what = t.status === 'rolling_back' ? `the rollback of stage ${t.stage}` : `stage ${t.stage}`;
        const failing = f.failing.map((c) => `${c.name} ${c.health}${c.message ? ` (${c.message})` : ''}`).join(', ');
        out.set(t.installationId, blocker('health', `waits for ${what} to be healthy${failing ? `: ${failing}` : ''}; it fails at ${deadline} if not`, { since: iso(t.stageSentAt), until: deadline, failing: f.failing }));
      }
      continue;
    }
    const since = iso(f.waitingSince);
    if (stopping) {
      const n = failureCount(targets);
      out.set(t.installationId, blocker('stopping', `will not start: ${n} failure${n === 1 ? '' : 's'} exceed${n === 1 ? 's' : ''} maxFailures (${s.maxFailures}); the rollout ends rolled back once the installations in flight finish`));
    } else if (t.status === 'waiting' && t.waitingFor === 'approval') out.set(t.installationId, blocker('approval', `waits for approval by an admin of ${f.customerName} (in the customer portal) or the vendor`, { since, by: `an admin of ${f.customerName}` }));
    else if (t.status === 'waiting' && t.waitingFor === 'window') {
      const opens = t.nextWindowAt === null ? 'which does not open again' : `which opens at ${iso(t.nextWindowAt)}${f.timeZone ? ` (${f.timeZone})` : ''}`;
      out.set(t.installationId, blocker('window', `waits for its maintenance window, ${opens}`, { since, until: iso(t.nextWindowAt), timeZone: f.timeZone }));
    } else if (t.status === 'waiting' && t.waitingFor === 'agent') out.set(t.installationId, offline());
    else if (!f.releaseReady) out.set(t.installationId, blocker('release', 'waits: the release is on hold, nothing new starts'));
    else if (gate && t.wave > gate.wave) out.set(t.installationId, blocker('wave', `waits for wave ${gate.wave + 1} to finish`));
    else if (gate && now < gate.startsAt) out.set(t.installationId, blocker('soak', `waits for the previous wave to soak until ${iso(gate.startsAt)}`, { until: iso(gate.startsAt) }));
    else if (slotsUsed >= s.maxParallel) out.set(t.installationId, blocker('slot', `waits for a free slot: ${s.maxParallel} installation${s.maxParallel === 1 ? ' is' : 's are'} updating at once (maxParallel)`));
    else {
      // Free to start at the next step (it was decided before a slot freed up in this one).
      out.set(t.installationId, blocker('slot', 'starts at the next step'));
      slotsUsed += 1;
    }
  }
  return out;
}

/** The blocker a reader sees: a paused rollout holds every unfinished target, whatever it waited for before. */
export function shownBlocker(rolloutStatus: RolloutStatus, rolloutMessage: string | null, finished: boolean, stored: TargetBlocker | null): TargetBlocker | null {
  if (finished) return null;
  if (rolloutStatus === 'paused') return blocker('paused', `waits: the rollout is paused${rolloutMessage ? ` (${rolloutMessage})` : ''}; resume it to go on`);
  if (rolloutStatus !== 'running' && rolloutStatus !== 'pending') return null;
  return stored;
}

import {
  FAILURE_TARGET_STATUSES,
  ROLLOUT_STATUSES,
  TARGET_STATUSES,
  UNFINISHED_ROLLOUT_STATUSES,
  WAITING_FOR,
  isFinishedRolloutStatus,
  isFinishedTargetStatus,
  type Membership,
  type Rollout,
  type RolloutProgress,
  type RolloutTarget,
} from '@flotilla/protocol';
import type { BadgeTone } from './format';
import { actingMembership, may } from './roles';

/**
 * Pure logic of the rollout pages: patching a rollout from `rollout:progress` events, the controls
 * a status allows, the waves × targets grid, and the labels and tones of statuses.
 */

export type RolloutStatus = Rollout['status'];
export type TargetStatus = RolloutTarget['status'];
export type RolloutControl = 'pause' | 'resume' | 'abort';


/** The event's status when it is one the portal knows, else the current one (a newer hub may add states). */
function knownRolloutStatus(value: string, current: RolloutStatus): RolloutStatus {
  return (ROLLOUT_STATUSES as readonly string[]).includes(value) ? (value as RolloutStatus) : current;
}

function toTarget(t: RolloutProgress['targets'][number], current: RolloutTarget | undefined): RolloutTarget {
  const status = (TARGET_STATUSES as readonly string[]).includes(t.status) ? (t.status as TargetStatus) : (current?.status ?? 'pending');
  const waitingFor = t.waitingFor !== null && (WAITING_FOR as readonly string[]).includes(t.waitingFor) ? (t.waitingFor as RolloutTarget['waitingFor']) : null;
  return {
    installationId: t.installationId,
    customerId: t.customerId,
    wave: t.wave,
    status,
    waitingFor,
    stage: t.stage,
    requiredSteps: t.requiredSteps ?? current?.requiredSteps ?? [],
    step: t.step ?? current?.step ?? 0,
    approved: t.approved,
    approvedFor: t.approvedFor ?? null,
    message: t.message,
    finishedAt: t.finishedAt,
    blocker: t.blocker ?? null,
  };
}

/**
 * How far a target has come: pending < waiting < deploying (by stage) < rolling back (stages in
 * reverse) < finished. A target only ever moves forward within a rollout, so a state behind the one
 * shown is an older one (an event that raced a fetch, or was delivered late) and is not applied.
 */
export function targetProgressRank(t: Pick<RolloutTarget, 'status' | 'stage'>): [number, number] {
  switch (t.status) {
    case 'pending':
      return [0, 0];
    case 'waiting':
      return [1, 0];
    case 'deploying':
      return [2, t.stage];
    case 'rolling_back':
      return [3, -t.stage];
    default:
      return [4, 0];
  }
}

function isBehind(next: RolloutTarget, current: RolloutTarget): boolean {
  const [a, b] = targetProgressRank(next);
  const [c, d] = targetProgressRank(current);
  return a < c || (a === c && b < d);
}

/**
 * The rollout after a `rollout:progress` event: status, message and waves replaced, the changed
 * targets patched by installation id (a target the rollout does not list is added: e.g. a customer
 * view that starts empty). A target state behind the one shown, and any status after a final one
 * (the protocol's finished rollout statuses), are older news and ignored. An event of another rollout returns the
 * same object.
 */
export function applyProgress(rollout: Rollout, progress: RolloutProgress): Rollout {
  if (progress.rolloutId !== rollout.id) return rollout;
  const changed = new Map(progress.targets.map((t) => [t.installationId, t]));
  const targets = rollout.targets.map((t) => {
    const next = changed.get(t.installationId);
    if (!next) return t;
    changed.delete(t.installationId);
    const patched = toTarget(next, t);
    return isBehind(patched, t) ? t : patched;
  });
  for (const extra of changed.values()) targets.push(toTarget(extra, undefined));
  const waves = mergeWaves(rollout.waves, progress.waves);
  if (isFinishedRolloutStatus(rollout.status)) return { ...rollout, waves, targets };
  return { ...rollout, status: knownRolloutStatus(progress.status, rollout.status), message: progress.message, waves, targets };
}

/** Wave counts from an event: a wave's finished count only grows (targets only finish), so a smaller one is older news. */
function mergeWaves(current: Rollout['waves'], incoming: RolloutProgress['waves']): Rollout['waves'] {
  if (incoming.length === 0) return current;
  return incoming.map((w) => {
    const known = current.find((c) => c.index === w.index);
    return { index: w.index, total: w.total, finished: Math.max(w.finished, known?.finished ?? 0) };
  });
}

/** What pause/resume/abort the hub allows in this status (`rollout-service.ts` `control`). */
export function rolloutControls(status: RolloutStatus): RolloutControl[] {
  if (status === 'pending' || status === 'running') return ['pause', 'abort'];
  if (status === 'paused') return ['resume', 'abort'];
  return [];
}

/** Whether the rollout can still change (pending, running or paused). */
export function isMoving(status: RolloutStatus): boolean {
  return (UNFINISHED_ROLLOUT_STATUSES as readonly string[]).includes(status);
}

export const ROLLOUT_TONE: Record<RolloutStatus, BadgeTone> = {
  pending: 'neutral',
  running: 'info',
  paused: 'warning',
  completed: 'success',
  failed: 'danger',
  aborted: 'neutral',
  rolled_back: 'danger',
};

export function rolloutStatusLabel(status: RolloutStatus): string {
  return status.replace('_', ' ');
}

export const TARGET_TONE: Record<TargetStatus, BadgeTone> = {
  pending: 'neutral',
  waiting: 'warning',
  deploying: 'info',
  succeeded: 'success',
  failed: 'danger',
  rolling_back: 'warning',
  rolled_back: 'danger',
  skipped: 'neutral',
};

export function targetStatusLabel(status: TargetStatus): string {
  return status.replace('_', ' ');
}

const WAITING_TEXT: Record<NonNullable<RolloutTarget['waitingFor']>, string> = {
  window: 'waiting for its maintenance window',
  approval: 'waiting for customer approval',
  agent: 'waiting for its agent to connect',
};

/** `2026-11-24 02:00 UTC`: a point in time the same for everyone looking at it. */
export function formatUtc(iso: string): string {
  const at = Date.parse(iso);
  return Number.isNaN(at) ? iso : `${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Why a waiting target waits, or null. An approval scheduled for later says from when. */
export function waitingText(target: Pick<RolloutTarget, 'status' | 'waitingFor'> & Partial<Pick<RolloutTarget, 'approved' | 'approvedFor'>>): string | null {
  if (target.status !== 'waiting' || target.waitingFor === null) return null;
  if (target.waitingFor === 'approval' && target.approved && target.approvedFor) return `approved for ${formatUtc(target.approvedFor)}`;
  return WAITING_TEXT[target.waitingFor];
}

/** A time in the viewer's zone and, when given, in another (the installation's): `Sat 03:05 (Sat 09:05 Europe/Berlin)`. */
export function formatInZones(iso: string, otherZone: string | null, viewerZone?: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const fmt = (timeZone?: string) => at.toLocaleString('en-GB', { timeZone, weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' });
  const mine = fmt(viewerZone);
  if (!otherZone) return mine;
  const theirs = fmt(otherZone);
  return theirs === mine ? mine : `${mine} (${theirs.replace(/ [^ ]+$/, '')} ${otherZone})`;
}

/**
 * What an unfinished target waits for, in words, with its times in the viewer's zone (and a
 * maintenance window's also in the installation's zone). Null when it waits for nothing.
 */
export function blockerText(blocker: RolloutTarget['blocker'], viewerZone?: string): string | null {
  if (!blocker) return null;
  const at = (iso: string | null, zone: string | null = null) => (iso ? formatInZones(iso, zone, viewerZone) : null);
  switch (blocker.reason) {
    case 'window':
      return blocker.until ? `Maintenance window opens ${at(blocker.until, blocker.timeZone)}` : 'Its maintenance window does not open again';
    case 'approval':
      return `Waits for approval by ${blocker.by ?? 'the customer'}`;
    case 'agent':
      return `${blocker.since ? `Agent offline since ${at(blocker.since)}` : 'Agent never connected'}; skipped at ${at(blocker.until) ?? 'its offline timeout'}`;
    case 'health': {
      const failing = blocker.failing.map((c) => `${c.name} ${c.health}${c.message ? ` (${c.message})` : ''}`).join(', ');
      return `Health check${failing ? `: ${failing}` : ' pending'}; fails at ${at(blocker.until) ?? 'its health timeout'}`;
    }
    case 'soak':
      return `Previous wave soaks until ${at(blocker.until) ?? '…'}`;
    default:
      return blocker.message.charAt(0).toUpperCase() + blocker.message.slice(1);
  }
}

/** `stage 1/2` while deploying or rolling back (and after), `not started` before the first stage. */
/**
 * A target stepping through required releases: which release it is on, e.g. "step 1 of 2: required
 * 2.0.0" (the rollout's release is the last step); null when it goes straight to the release.
 */
export function stepText(target: Pick<RolloutTarget, 'requiredSteps' | 'step'>, releaseVersion: string): string | null {
  const steps = target.requiredSteps;
  if (steps.length === 0) return null;
  const on = steps[target.step];
  return `step ${target.step + 1} of ${steps.length + 1}: ${on ? `required ${on.version}` : releaseVersion}`;
}

/** The stage count of the release the target is on: its required step's, or the rollout's. */
export function targetStageCount(target: Pick<RolloutTarget, 'requiredSteps' | 'step'>, rolloutStageCount: number): number {
  return target.requiredSteps[target.step]?.stageCount ?? rolloutStageCount;
}

export function stageText(target: Pick<RolloutTarget, 'stage' | 'status'>, stageCount: number): string {
  if (target.stage <= 0) return target.status === 'skipped' ? 'not deployed' : 'not started';
  return `stage ${target.stage}/${stageCount}`;
}

export interface WaveView {
  index: number;
  total: number;
  finished: number;
  targets: RolloutTarget[];
  /** done: every target finished; active: the lowest wave with unfinished targets; upcoming: later. */
  state: 'done' | 'active' | 'upcoming';
}

export const isFinishedTarget = (t: Pick<RolloutTarget, 'status'>) => isFinishedTargetStatus(t.status);

/** Whether the target's message is worth showing on its card: why it failed, was rolled back or skipped. */
export function showsTargetMessage(t: Pick<RolloutTarget, 'status' | 'message'>): boolean {
  return t.message !== null && t.message !== '' && ((FAILURE_TARGET_STATUSES as readonly string[]).includes(t.status) || t.status === 'skipped');
}

/**
 * The grid: one entry per wave, in order, with its targets (in the rollout's order). Totals come from
 * the targets themselves so the grid is consistent with its cells (the hub's `waves` say the same).
 */
export function wavesOf(rollout: Pick<Rollout, 'waves' | 'targets'>): WaveView[] {
  const indexes = new Set<number>([...rollout.waves.map((w) => w.index), ...rollout.targets.map((t) => t.wave)]);
  const sorted = [...indexes].sort((a, b) => a - b);
  let activeSeen = false;
  return sorted.map((index) => {
    const targets = rollout.targets.filter((t) => t.wave === index);
    const hub = rollout.waves.find((w) => w.index === index);
    const total = targets.length > 0 ? targets.length : (hub?.total ?? 0);
    const finished = targets.length > 0 ? targets.filter(isFinishedTarget).length : (hub?.finished ?? 0);
    let state: WaveView['state'] = 'upcoming';
    if (finished >= total) state = 'done';
    else if (!activeSeen) {
      state = 'active';
      activeSeen = true;
    }
    return { index, total, finished, targets, state };
  });
}

/** Overall progress from the hub's per-wave counts. */
export function progressOf(rollout: Pick<Rollout, 'waves'>): { finished: number; total: number } {
  return rollout.waves.reduce((acc, w) => ({ finished: acc.finished + w.finished, total: acc.total + w.total }), { finished: 0, total: 0 });
}

/** `wave 2 of 3` for the list: the first wave not done yet (or the last when all are). */
export function currentWaveText(rollout: Pick<Rollout, 'waves'>): string {
  const waves = [...rollout.waves].sort((a, b) => a.index - b.index);
  if (waves.length === 0) return 'no targets';
  const at = waves.findIndex((w) => w.finished < w.total);
  const position = at < 0 ? waves.length : at + 1;
  return `wave ${position} of ${waves.length}`;
}

/** Targets of a moving rollout that wait for their customer's approval and do not have it yet. */
export function awaitingApproval(rollout: Pick<Rollout, 'status' | 'targets'>): RolloutTarget[] {
  if (!isMoving(rollout.status)) return [];
  return rollout.targets.filter((t) => t.status === 'waiting' && t.waitingFor === 'approval' && !t.approved);
}

/** Targets of a moving rollout approved for a later time that have not started yet. */
export function scheduledApprovals(rollout: Pick<Rollout, 'status' | 'targets'>): RolloutTarget[] {
  if (!isMoving(rollout.status)) return [];
  return rollout.targets.filter((t) => t.approved && t.approvedFor !== null && (t.status === 'waiting' || t.status === 'pending'));
}

/** Longest the hub lets an approval be scheduled ahead (`rollout-service.ts`). */
export const MAX_SCHEDULE_DAYS = 90;

/**
 * The `at` of an approval scheduled in a `datetime-local` input (the browser's local time), as an
 * ISO instant: in the future and within 90 days.
 */
export function scheduleAt(local: string, now: number): { ok: true; value: string } | { ok: false; message: string } {
  if (!local.trim()) return { ok: false, message: 'Pick a date and time' };
  const at = new Date(local).getTime();
  if (Number.isNaN(at)) return { ok: false, message: 'Pick a date and time' };
  if (at <= now) return { ok: false, message: 'Pick a time in the future' };
  if (at > now + MAX_SCHEDULE_DAYS * 86_400_000) return { ok: false, message: `Pick a time within the next ${MAX_SCHEDULE_DAYS} days` };
  return { ok: true, value: new Date(at).toISOString() };
}

/** Approving a target: the route's rule (lib/roles.ts), and a customer user only for their own customer. */
export function canApprove(memberships: readonly Membership[], customerId: string): boolean {
  const m = actingMembership(memberships);
  return m !== undefined && may(memberships, 'approveTargets') && (m.customerId === null || m.customerId === customerId);
}

/** Pause, resume, abort: the route's rule (lib/roles.ts). */
export function canSteerRollouts(memberships: readonly Membership[]): boolean {
  return may(memberships, 'steerRollouts');
}

/**
 * The rollout's message for people: the hub says who paused or aborted by user id
 * (`paused by <uuid>`); that is "you" for the signed-in user, else "a team member".
 */
export function rolloutMessage(message: string, userId: string | null): string {
  return message.replace(/\b(paused|aborted|resumed) by ([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b/gi, (_all, what: string, id: string) => `${what} by ${id === userId ? 'you' : 'a team member'}`);
}

/** Newest first (the hub's order), stable. */
export function sortRollouts(items: readonly Rollout[]): Rollout[] {
  return [...items].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || a.id.localeCompare(b.id));
}

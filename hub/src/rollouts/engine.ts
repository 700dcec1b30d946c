import { isDeepStrictEqual } from 'node:util';
import type { RolloutProgress } from '@flotilla/protocol';
import type { Database, Queues } from '../infra/index.js';
import type { RolloutStepPhase } from '../infra/metrics.js';
import type { Logger } from '../logger.js';
import type { Notifier } from '../domain/shared/notifier.js';
import type { DesiredStateRepository } from '../domain/installations/desired-state-repository.js';
import type { ReleaseRepository } from '../domain/releases/release-repository.js';
import type { ApplicationRepository } from '../domain/applications/application-repository.js';
import { composeRelease, type ComposedRelease } from '../domain/desired-state/compose.js';
import type { InstallationConfigRepository } from '../domain/desired-state/config-repository.js';
import { loadRelease } from '../domain/desired-state/release-loader.js';
import { applyActions, plan, type Action, type Target } from './planner.js';
import { windowState } from './windows.js';
import { AdvanceRunner } from './advance-runner.js';
import { explainTargets, type BlockerFacts } from './blockers.js';
import type { RolloutRepository, RolloutRow, TargetRow } from './rollout-repository.js';
import { toTarget } from './rollout-resource.js';
import { TargetSnapshots } from './target-snapshots.js';
import { StepWriter, type StepRelease, type StepReleases } from './step-writer.js';

/**
 * The rollout engine: one "advance" step locks the rollout row (so any hub process may run it, one
 * at a time), turns the persisted state and the installations' reported facts into planner input,
 * persists the planner's actions in the same transaction (a stage is a new desired-state revision,
 * pushed to the agent after commit), and schedules the next wake-up. Running a step twice changes
 * nothing that the first did not: every decision is re-derived from the database.
 */
export class RolloutEngine {
  constructor(
    private readonly db: Database,
    private readonly repo: RolloutRepository,
    private readonly releases: ReleaseRepository,
    private readonly applications: ApplicationRepository,
    desired: DesiredStateRepository,
    queues: Queues,
    private readonly notifier: Notifier,
    log: Logger,
    config: Pick<InstallationConfigRepository, 'getMany'>,
    /** Told how long each phase of a step that changed something took (metrics). */
    private readonly observeStep: (phase: RolloutStepPhase, seconds: number) => void = () => undefined,
  ) {
    this.snapshots = new TargetSnapshots(repo);
    this.writer = new StepWriter(repo, desired, notifier, config);
    this.runner = new AdvanceRunner(queues, (id) => this.advance(id), log);
  }

  /** When advances run: queued, coalesced, paced, one at a time per rollout here. */
  private readonly runner: AdvanceRunner;

  /** Writes each step's actions (statuses, events, the stages' desired-state revisions). */
  private readonly writer: StepWriter;

  /** The targets of the rollouts this process advances, read in full once and then by what changed. */
  private readonly snapshots: TargetSnapshots;

  /** Asks for an advance now (`debounceMs`: for agent events, paced; see AdvanceRunner.trigger). */
  trigger(rolloutId: string, debounceMs = 0): Promise<void> {
    return this.runner.trigger(rolloutId, debounceMs);
  }

  /** Asks for an advance at `at`. */
  wakeAt(rolloutId: string, at: number): Promise<void> {
    return this.runner.wakeAt(rolloutId, at);
  }

  /** Moves the rollout as far as it can go now; returns whether it is still pending or running. */
  async advance(rolloutId: string, now = Date.now()): Promise<boolean> {
    let unfinished = false;
    const afterCommit: (() => void)[] = [];
    let wake: number | undefined;
    let progress: RolloutProgress | undefined;
    let scope: { vendorId: string; customerIds: string[] } | undefined;
    const deployedReleases = new Set<string>();
    let where = { vendorId: '', trackId: '' };
    const phases = phaseClock();

    await this.db.transaction(async (trx) => {
      const r = await this.repo.lock(trx, rolloutId);
      phases.lap('lock');
      // A paused rollout still carries its rollbacks on (the planner does nothing else for it).
      if (!r || (r.status !== 'pending' && r.status !== 'running' && r.status !== 'paused')) return;
      const paused = r.status === 'paused';
      unfinished = true;
      const release = await this.releases.getRelease(r.vendor_id, r.release_id);
      if (!release) return;
      where = { vendorId: r.vendor_id, trackId: release.track_id };
      const rows = await this.snapshots.read(trx, rolloutId);
      const releases = await this.stepReleases(r, rows);
      phases.lap('read');
      const targets = rows.map((row) => plannerTarget(row, now));
      let actions = plan({ status: r.status, stageCount: r.stage_count, strategy: toStrategy(r) }, targets, now);
      // A release on hold (or rescinded) starts no new installation; those in flight finish (their next required steps too).
      const releaseReady = release.status === 'ready';
      if (!releaseReady) actions = actions.filter((a) => !(a.type === 'send-stage' && a.stage === 1 && (a.step ?? 0) === 0));
      const after = applyActions({ status: r.status, stageCount: r.stage_count, strategy: toStrategy(r) }, targets, actions, now);
      const byId = new Map(rows.map((row) => [row.installation_id, row]));
      // What each target now waits for; only changes are written (and sent live).
      const waitsNow = new Set(actions.flatMap((a) => (a.type === 'wait' ? [a.installationId] : [])));
      const blockers = explainTargets(after.rollout, after.targets, (id) => blockerFacts(byId.get(id), waitsNow.has(id), releaseReady, now), now);
      // A paused rollout's targets show "paused" (shownBlocker): what they waited for is kept for the resume.
      const explained = paused ? [] : rows.filter((row) => !isDeepStrictEqual(row.blocker ?? null, blockers.get(row.installation_id) ?? null));
      if (actions.length === 0 && explained.length === 0) return;
      phases.lap('plan');

      // New blockers ride on the step's own target patches: one write per target, not two.
      const blockerPatches = explained.map((row) => ({ installationId: row.installation_id, patch: { blocker: blockers.get(row.installation_id) ?? null } }));
      const { deliveries, written } = await this.writer.write(trx, r, actions, byId, releases, now, blockerPatches);
      afterCommit.push(...deliveries);
      for (const a of actions) {
        if (a.type === 'wake-at') wake = a.at;
        if (a.type === 'succeeded') deployedReleases.add(r.release_id);
        // Entering step k+1: the required release of step k is deployed there.
        const done = a.type === 'send-stage' && (a.step ?? 0) > 0 ? byId.get(a.installationId)?.steps[(a.step ?? 0) - 1] : undefined;
        if (done) deployedReleases.add(done.releaseId);
      }
      const changed = new Set([...actions.flatMap((a) => ('installationId' in a ? [a.installationId] : [])), ...explained.map((row) => row.installation_id)]);
      // The changed targets as written: the live view shows only a target's own columns, so each
      // row with its patch is exact and nothing is read back (a step changes all 10 000 at times).
      const fresh = rows.filter((row) => changed.has(row.installation_id)).map((row) => ({ ...row, ...written.get(row.installation_id) }));
      const status = after.rollout.status;
      unfinished = status === 'pending' || status === 'running';
      const said = actions.find((a): a is Extract<Action, { type: 'pause' | 'end-rolled-back' }> => a.type === 'pause' || a.type === 'end-rolled-back');
      const message = said?.reason ?? r.message;
      progress = { rolloutId, status, message, waves: await this.repo.waveSummary(rolloutId, trx), targets: fresh.map((t) => toTarget(t, { status, message })) };
      scope = { vendorId: r.vendor_id, customerIds: [...new Set(fresh.map((t) => t.customer_id))] };
      phases.lap('persist');
    }).catch((err: unknown) => {
      // The copy may hold rows read in a transaction that did not commit: read in full next time.
      this.snapshots.forget(rolloutId);
      throw err;
    });
    phases.lap('commit');
    if (!unfinished) this.snapshots.forget(rolloutId);

    // Emit before any further await, so live events leave in commit order.
    for (const fn of afterCommit) fn();
    if (progress && scope) {
      this.notifier.rolloutProgress(scope, progress);
      // Only steps that changed something: idle advances would hide where a fan-out's time goes.
      phases.lap('deliver');
      for (const [phase, ms] of phases.laps) this.observeStep(phase, ms / 1000);
    }
    for (const releaseId of deployedReleases) await this.releases.markDeployed(where.vendorId, releaseId, where.trackId);
    if (wake !== undefined) await this.wakeAt(rolloutId, wake);
    return unfinished;
  }


  /** The rollout's release and the required releases its targets step through, with their components. */
  private async stepReleases(r: RolloutRow, rows: readonly TargetRow[]): Promise<StepReleases> {
    const ids = new Set([r.release_id, ...rows.flatMap((row) => row.steps.map((s) => s.releaseId))]);
    const out = new Map<string, StepRelease>();
    for (const id of ids) {
      const release = await this.releases.getRelease(r.vendor_id, id);
      if (!release) continue;
      // The composer deploys use: a release cannot reach here unpinned (it is locked), and if it did, it is refused, not trimmed.
      out.set(id, { releaseId: id, version: release.version, ...(await this.compose(r.vendor_id, release)) });
    }
    return out;
  }

  /** A release's components through the composer deploys use (an unpinned component: 409 CONFLICT). */
  async compose(vendorId: string, release: { version: string; stages: { applicationId: string; versionId: string | null }[][] }): Promise<ComposedRelease> {
    return composeRelease(await loadRelease(this.applications, vendorId, release));
  }

  /** Runs the advance worker on this process and re-arms every moving rollout (after a crash, nothing waits forever). */
  start(): void {
    this.runner.start(() => this.repo.running());
  }
}

/** Laps of one step's phases, in milliseconds, each from the end of the previous one. */
function phaseClock() {
  let last = performance.now();
  const laps = new Map<RolloutStepPhase, number>();
  return {
    laps,
    lap(phase: RolloutStepPhase) {
      const now = performance.now();
      laps.set(phase, now - last);
      last = now;
    },
  };
}


/** The facts of a target's row an explanation needs beyond the planner's view. */
function blockerFacts(row: TargetRow | undefined, waitsNow: boolean, releaseReady: boolean, now: number): BlockerFacts {
  return {
    customerName: row?.customer_name ?? 'the customer',
    timeZone: row?.maintenance_windows[0]?.timeZone ?? null,
    failing: (row?.unhealthy ?? []).map((c) => ({ name: c.name, health: c.health, message: c.message ?? null })),
    waitingSince: waitsNow ? now : (row?.waiting_since?.getTime() ?? null),
    releaseReady,
  };
}

function toStrategy(r: RolloutRow) {
  return { ...r.strategy, waves: r.strategy.waves };
}

/**
 * The planner's view of a target: its persisted state plus what its agent reported. A stage is
 * healthy once the agent applied its revision and every component is healthy. It failed when a
 * report after the stage was sent shows a failed component of that revision: after the agent
 * applied it, or at the version the stage sent (an apply that failed). A component of the previous
 * revision failing while the new one is on its way is not the stage's failure.
 */
export function plannerTarget(row: TargetRow, now: number): Target {
  const sentAt = row.stage_sent_at?.getTime() ?? null;
  let stageHealth: Target['stageHealth'] = 'pending';
  if ((row.status === 'deploying' || row.status === 'rolling_back') && row.stage_revision !== null && sentAt !== null) {
    const reportedSince = row.status_updated_at.getTime() >= sentAt;
    if (reportedSince && (row.stage_version_failed || (row.applied_revision >= row.stage_revision && row.any_failed))) stageHealth = 'failed';
    // every() of nothing is true: rolling a first install back to "no components" is healthy.
    else if (row.applied_revision >= row.stage_revision && row.all_healthy) stageHealth = 'healthy';
  }
  const w = windowState(row.maintenance_windows, now);
  // An approval scheduled for later counts from then on; the approve call scheduled a wake-up for it.
  const approvedLater = row.approved && row.approved_for !== null && row.approved_for.getTime() > now;
  return {
    installationId: row.installation_id,
    wave: row.wave,
    status: row.status,
    waitingFor: row.waiting_for,
    stage: row.stage,
    stageSentAt: sentAt,
    stageHealth,
    online: row.online,
    // Never seen: offline since the rollout sent it a stage, or began to wait for it (see plan).
    offlineSince: row.online ? null : (row.last_seen_at?.getTime() ?? sentAt ?? (row.waiting_for === 'agent' ? (row.waiting_since?.getTime() ?? null) : null)),
    approved: row.approved && !approvedLater,
    inWindow: w.inWindow,
    nextWindowAt: w.nextWindowAt,
    finishedAt: row.finished_at?.getTime() ?? null,
    ...(row.steps.length > 0 ? { requiredStages: row.steps.map((s) => s.stageCount), step: row.step } : {}),
  };
}

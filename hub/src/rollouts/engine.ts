import { isDeepStrictEqual } from 'node:util';
import type { AgentKind, RolloutProgress } from '@flotilla/protocol';
import type { Knex } from 'knex';
import type { Database, Queues } from '../infra/index.js';
import type { RolloutStepPhase } from '../infra/metrics.js';
import type { Logger } from '../logger.js';
import type { Notifier } from '../domain/shared/notifier.js';
import type { DesiredStateRepository } from '../domain/installations/desired-state-repository.js';
import type { ReleaseRepository } from '../domain/releases/release-repository.js';
import type { ApplicationRepository } from '../domain/applications/application-repository.js';
import { componentKey, composeRelease, desiredForStage, forAgentKind, type ComposedRelease } from '../domain/desired-state/compose.js';
import type { InstallationConfigRepository } from '../domain/desired-state/config-repository.js';
import { loadRelease } from '../domain/desired-state/release-loader.js';
import { applyActions, plan, type Action, type Target } from './planner.js';
import { windowState } from './windows.js';
import { agentEventDelay, type AdvanceTiming } from './advance-pacing.js';
import { explainTargets, type BlockerFacts } from './blockers.js';
import { toTarget, type RolloutRepository, type RolloutRow, type TargetPatch, type TargetRow } from './rollout-repository.js';
import { TargetSnapshots } from './target-snapshots.js';

type RolloutEvent = Parameters<RolloutRepository['events']>[1][number];

/** A stage to send (or roll back) to one target; `failure`: why it failed, on its first rollback step. */
interface StageSend {
  action: Extract<Action, { type: 'send-stage' | 'rollback-stage' }>;
  row: TargetRow;
  event: RolloutEvent;
  failure?: string;
}

/** A release a target deploys: the rollout's own, or a required release it runs first (composed once per advance). */
interface StepRelease extends ComposedRelease {
  releaseId: string;
  version: string;
}

/** The releases of the rollout's targets' paths, by release id. */
type StepReleases = ReadonlyMap<string, StepRelease>;

/** The release a target deploys at `step` (its required steps, then the rollout's release). */
function releaseAt(r: RolloutRow, row: TargetRow, step: number, releases: StepReleases): StepRelease | undefined {
  return releases.get(row.steps[step]?.releaseId ?? r.release_id);
}

/** The step a stage action is for: a send-stage says (entering the next step), a rollback stays in the target's. */
const stepOfAction = (a: Extract<Action, { type: 'send-stage' | 'rollback-stage' }>, row: TargetRow) => (a.type === 'send-stage' ? (a.step ?? row.step) : row.step);

/** For the timeline of a target with required steps: which release a stage belongs to. */
function stepLabel(row: TargetRow, step: number, release: StepRelease | undefined): string | undefined {
  if (row.steps.length === 0 || !release) return undefined;
  return `release ${release.version}${step < row.steps.length ? ' (required)' : ''}, step ${step + 1} of ${row.steps.length + 1}`;
}

export const ADVANCE_JOB = 'advance';

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
    private readonly desired: DesiredStateRepository,
    private readonly queues: Queues,
    private readonly notifier: Notifier,
    private readonly log: Logger,
    private readonly config: Pick<InstallationConfigRepository, 'getMany'>,
    /** Told how long each phase of a step that changed something took (metrics). */
    private readonly observeStep: (phase: RolloutStepPhase, seconds: number) => void = () => undefined,
  ) {
    this.snapshots = new TargetSnapshots(repo);
  }

  /** The targets of the rollouts this process advances, read in full once and then by what changed. */
  private readonly snapshots: TargetSnapshots;

  /**
   * Asks any hub process's worker to advance the rollout now. Events are coalesced per rollout:
   * while an advance waits in the queue, later events ride on it (it has not read the database
   * yet). The worker releases the deduplication id as it starts (see `start`), so an event during a
   * running advance queues the next one, and a job stranded on a crashed process blocks nothing.
   * 10 000 agent reports cost a handful of advances, and no event is lost. `debounceMs` holds the
   * advance back a little so that a stream of agent events (a reconnect storm) gathers into fewer,
   * larger ones: each advance reads every target of the rollout.
   */
  async trigger(rolloutId: string, debounceMs = 0): Promise<void> {
    // Agent events let the rollout rest after its last advance here (advance-pacing): however large
    // the rollout, advancing it takes at most about a third of this process's time.
    const delay = debounceMs > 0 ? agentEventDelay(debounceMs, this.advances.get(rolloutId), Date.now()) : 0;
    await this.queues
      .queue<{ rolloutId: string }>('rollouts')
      .add(ADVANCE_JOB, { rolloutId }, { deduplication: { id: `adv-${rolloutId}` }, ...(delay > 0 ? { delay } : {}), attempts: 5, backoff: { type: 'exponential', delay: 500 } });
  }

  /** The last advance of each unfinished rollout on this process (see trigger). */
  private readonly advances = new Map<string, AdvanceTiming>();

  async wakeAt(rolloutId: string, at: number): Promise<void> {
    const delay = Math.max(0, at - Date.now());
    await this.queues.queue<{ rolloutId: string }>('rollouts').add(ADVANCE_JOB, { rolloutId }, { jobId: `wake-${rolloutId}-${at}`, delay, attempts: 5, backoff: { type: 'exponential', delay: 500 } });
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
      const { deliveries, written } = await this.persist(trx, r, actions, byId, releases, now, blockerPatches);
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

  /**
   * Persists one step's actions in a few statements whatever their number: rollout status changes
   * as they come, target patches (with `morePatches`) and timeline events collected (events keep
   * the actions' order) and written in bulk, and every stage sent in this step appended as
   * desired-state revisions in one go. Returns the deliveries to make after commit, and each
   * target's patch as written.
   */
  private async persist(
    trx: Knex.Transaction,
    r: RolloutRow,
    actions: readonly Action[],
    rows: Map<string, TargetRow>,
    releases: StepReleases,
    now: number,
    morePatches: readonly { installationId: string; patch: TargetPatch }[],
  ): Promise<{ deliveries: (() => void)[]; written: Map<string, TargetPatch> }> {
    const at = new Date(now);
    const patches: { installationId: string; patch: TargetPatch }[] = [];
    const events: RolloutEvent[] = [];
    const sends: StageSend[] = [];
    for (const a of actions) {
      switch (a.type) {
        case 'start':
          await this.repo.setStatus(trx, r.id, 'running', null);
          events.push({ rolloutId: r.id, type: 'started' });
          break;
        case 'pause':
          await this.repo.setStatus(trx, r.id, 'paused', a.reason);
          events.push({ rolloutId: r.id, type: 'paused', message: a.reason });
          break;
        case 'complete':
          await this.repo.setStatus(trx, r.id, 'completed', null);
          events.push({ rolloutId: r.id, type: 'completed' });
          break;
        case 'end-rolled-back':
          await this.repo.setStatus(trx, r.id, 'rolled_back', a.reason);
          events.push({ rolloutId: r.id, type: 'rolled_back', message: a.reason });
          break;
        case 'wake-at':
          break;
        case 'wait':
          patches.push({ installationId: a.installationId, patch: { status: 'waiting', waiting_for: a.waitingFor, waiting_since: at } });
          events.push({ rolloutId: r.id, installationId: a.installationId, type: 'waiting', message: a.waitingFor });
          break;
        case 'rolled-back':
          // Its message keeps why it failed (written when the rollback began).
          patches.push({ installationId: a.installationId, patch: { status: 'rolled_back', finished_at: at, waiting_for: null } });
          events.push({ rolloutId: r.id, installationId: a.installationId, type: 'rolled_back', ...(rows.get(a.installationId)?.message ? { message: rows.get(a.installationId)?.message ?? '' } : {}) });
          break;
        case 'succeeded':
        case 'failed':
        case 'skipped': {
          const message = 'reason' in a ? withFailingChecks(a.reason, a.type === 'failed' ? rows.get(a.installationId) : undefined) : null;
          patches.push({ installationId: a.installationId, patch: { status: a.type, finished_at: at, message, waiting_for: null } });
          events.push({ rolloutId: r.id, installationId: a.installationId, type: a.type, ...(message ? { message } : {}) });
          break;
        }
        case 'send-stage':
        case 'rollback-stage': {
          const row = rows.get(a.installationId);
          if (!row) break;
          // The revision is known once appended below; the event keeps its place in the timeline.
          // The first rollback step says why the installation failed (its target's message from now on).
          const failure = a.type === 'rollback-stage' && a.reason ? withFailingChecks(a.reason, row) : undefined;
          const label = stepLabel(row, stepOfAction(a, row), releaseAt(r, row, stepOfAction(a, row), releases));
          const message = failure ?? label;
          const event: RolloutEvent = { rolloutId: r.id, installationId: a.installationId, type: a.type === 'rollback-stage' ? 'rollback-stage' : 'stage-sent', stage: a.stage, ...(message ? { message } : {}) };
          events.push(event);
          sends.push({ action: a, row, event, ...(failure ? { failure } : {}) });
          break;
        }
      }
    }
    const deliveries = await this.sendStages(trx, r, sends, releases, at, patches);
    const sent = new Set(sends.filter((s) => s.event.revision !== undefined).map((s) => s.event));
    const written = await this.repo.updateTargets(trx, r.id, [...patches, ...morePatches]);
    await this.repo.events(trx, events.filter((e) => !(e.type === 'stage-sent' || e.type === 'rollback-stage') || sent.has(e)));
    return { deliveries, written };
  }

  /** Appends a desired-state revision per stage sent (base + release components up to the stage). */
  private async sendStages(
    trx: Knex.Transaction,
    r: RolloutRow,
    sends: StageSend[],
    releases: StepReleases,
    at: Date,
    patches: { installationId: string; patch: TargetPatch }[],
  ): Promise<(() => void)[]> {
    if (sends.length === 0) return [];
    // The revision each installation had before the rollout touched it (recorded at its first
    // stage), and its configuration (merged by the hub, so the agent applies what we show).
    const installations: { id: string; desired_revision: number; desired_version: string | null; release_id: string | null; agent_kind: AgentKind }[] = await trx('installations')
      .whereIn('id', sends.map((s) => s.row.installation_id))
      .select('id', 'desired_revision', 'desired_version', 'release_id', 'agent_kind');
    const installation = new Map(installations.map((i) => [i.id, i]));
    const configs = await this.config.getMany(installations.map((i) => i.id), trx);
    // The base is what ran before the release in flight: before the rollout's first stage, or, as a
    // target enters its next step, the required release it just completed (a rollback never undoes it).
    const fresh = (s: StageSend) => s.row.base_revision === null || stepOfAction(s.action, s.row) > s.row.step;
    const baseRevision = (s: StageSend) => (fresh(s) ? (installation.get(s.row.installation_id)?.desired_revision ?? 0) : (s.row.base_revision ?? 0));
    // What it showed before the release in flight: recorded with base_revision, restored by a full rollback.
    const base = (s: StageSend) =>
      fresh(s)
        ? { version: installation.get(s.row.installation_id)?.desired_version ?? null, releaseId: installation.get(s.row.installation_id)?.release_id ?? null }
        : { version: s.row.base_version, releaseId: s.row.base_release_id };
    const bases = await this.repo.desiredAtMany(
      trx,
      sends.filter((s) => baseRevision(s) > 0).map((s) => ({ installationId: s.row.installation_id, revision: baseRevision(s) })),
    );
    const planned = sends.flatMap((s) => {
      const step = stepOfAction(s.action, s.row);
      const release = releaseAt(r, s.row, step, releases);
      if (!release) return [];
      const rollback = s.action.type === 'rollback-stage';
      const base = bases.get(s.row.installation_id) ?? [];
      // A mixed track ships compose and helm flavours: each installation gets its agent's.
      const kind = installation.get(s.row.installation_id)?.agent_kind ?? 'compose';
      const own = forAgentKind(release.components, kind);
      const components = desiredForStage({ release, kind, base, stage: s.action.stage, rollback, config: configs.get(s.row.installation_id) ?? {} });
      const last = !rollback && s.action.stage >= release.stageCount;
      // Rolling back stage 1 returns to exactly what ran before: its label and release with it.
      const restored = rollback && s.action.stage <= 1;
      // The release versions this stage deploys (a rollback returns to versions deployed before).
      const versionIds = rollback ? [] : own.filter((c) => c.stage <= s.action.stage).flatMap((c) => release.versionIds.get(componentKey(c)) ?? []);
      return [{ ...s, step, release, rollback, components, last, restored, versionIds }];
    });
    const appended = await this.desired.appendMany(
      r.vendor_id,
      planned.map((p) => ({
        installationId: p.row.installation_id,
        components: p.components,
        source: { rolloutId: r.id, releaseId: p.release.releaseId, stage: p.action.stage, ...(p.row.steps.length > 0 ? { step: p.step } : {}), ...(p.rollback ? { rollback: true } : {}) },
        desiredVersion: p.restored
          ? base(p).version
          : p.rollback
            ? `${p.release.version} (rolling back stage ${p.action.stage})`
            : p.last
              ? p.release.version
              : `${p.release.version} (stage ${p.action.stage}/${p.release.stageCount})`,
        createdBy: null,
        releaseId: p.restored ? base(p).releaseId : p.last ? p.release.releaseId : null,
        versionIds: p.versionIds,
      })),
      trx,
    );
    const deliveries: (() => void)[] = [];
    for (const p of planned) {
      const next = appended.get(p.row.installation_id);
      if (!next) continue;
      p.event.revision = next.revision;
      patches.push({
        installationId: p.row.installation_id,
        patch: {
          status: p.rollback ? 'rolling_back' : 'deploying',
          waiting_for: null,
          step: p.step,
          stage: p.action.stage,
          stage_revision: next.revision,
          stage_sent_at: at,
          base_revision: baseRevision(p),
          base_version: base(p).version,
          base_release_id: base(p).releaseId,
          ...(p.failure ? { message: p.failure } : {}),
        },
      });
      const agentId = next.agentId;
      if (agentId) deliveries.push(() => this.notifier.desiredState(agentId, { installationId: p.row.installation_id, revision: next.revision, components: p.components }));
    }
    return deliveries;
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

  /** Runs the worker on this process and re-arms every moving rollout (after a crash, nothing waits forever). */
  start(): void {
    this.queues.work<{ rolloutId: string }>(
      'rollouts',
      async (job) => {
        await job.releaseDeduplication();
        const id = job.data.rolloutId;
        const startedAt = Date.now();
        const previous = this.advances.get(id);
        this.advances.set(id, { startedAt, endedAt: null, durationMs: previous?.durationMs ?? 0 });
        let unfinished = true;
        try {
          unfinished = await this.advance(id);
        } finally {
          if (unfinished) this.advances.set(id, { startedAt, endedAt: Date.now(), durationMs: Date.now() - startedAt });
          else this.advances.delete(id);
        }
      },
      { concurrency: 4 },
    );
    this.repo
      .running()
      .then((ids) => Promise.all(ids.map((id) => this.trigger(id))))
      .catch((err: unknown) => this.log.error({ err }, 'could not re-arm running rollouts'));
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

/**
 * A failure's reason with the checks that failed, as the agent reported them (component, health,
 * message): "stage 1 failed: web failed (0/1 up; web: unhealthy: …)".
 */
export function withFailingChecks(reason: string, row: Pick<TargetRow, 'unhealthy'> | undefined): string {
  const failing = (row?.unhealthy ?? []).map((c) => `${c.name} ${c.health}${c.message ? ` (${c.message})` : ''}`);
  return failing.length > 0 ? `${reason}: ${failing.join('; ')}` : reason;
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

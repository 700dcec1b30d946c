import type { AgentKind } from '@flotilla/protocol';
import type { Knex } from 'knex';
import type { Notifier } from '../domain/shared/notifier.js';
import type { DesiredStateRepository } from '../domain/installations/desired-state-repository.js';
import { componentKey, desiredForStage, forAgentKind, type ComposedRelease } from '../domain/desired-state/compose.js';
import type { InstallationConfigRepository } from '../domain/desired-state/config-repository.js';
import type { Action } from './planner.js';
import type { RolloutRepository, RolloutRow, TargetPatch, TargetRow } from './rollout-repository.js';

type RolloutEvent = Parameters<RolloutRepository['events']>[1][number];

/** A stage to send (or roll back) to one target; `failure`: why it failed, on its first rollback step. */
interface StageSend {
  action: Extract<Action, { type: 'send-stage' | 'rollback-stage' }>;
  row: TargetRow;
  event: RolloutEvent;
  failure?: string;
}

/** A release a target deploys: the rollout's own, or a required release it runs first (composed once per advance). */
export interface StepRelease extends ComposedRelease {
  releaseId: string;
  version: string;
}

/** The releases of the rollout's targets' paths, by release id. */
export type StepReleases = ReadonlyMap<string, StepRelease>;

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

/**
 * Writes one rollout step's actions inside the advance's transaction: rollout status changes,
 * target patches, timeline events, and a desired-state revision per stage sent. A few statements
 * however many targets the step moves; what reaches agents is returned, to deliver after commit.
 */
export class StepWriter {
  constructor(
    private readonly repo: RolloutRepository,
    private readonly desired: DesiredStateRepository,
    private readonly notifier: Notifier,
    private readonly config: Pick<InstallationConfigRepository, 'getMany'>,
  ) {}

  /**
   * Persists one step's actions in a few statements whatever their number: rollout status changes
   * as they come, target patches (with `morePatches`) and timeline events collected (events keep
   * the actions' order) and written in bulk, and every stage sent in this step appended as
   * desired-state revisions in one go. Returns the deliveries to make after commit, and each
   * target's patch as written.
   */
  async write(
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
    // stage), and its configuration (merged by the hub, so the agent applies what we show). Ids
    // go as one array: 10 000 bindings in an IN list cost knex and PostgreSQL far more.
    const installations: { id: string; desired_revision: number; desired_version: string | null; release_id: string | null; agent_kind: AgentKind }[] = await trx('installations')
      .whereRaw('id = ANY(?::uuid[])', [sends.map((s) => s.row.installation_id)])
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
}

/**
 * A failure's reason with the checks that failed, as the agent reported them (component, health,
 * message): "stage 1 failed: web failed (0/1 up; web: unhealthy: …)".
 */
export function withFailingChecks(reason: string, row: Pick<TargetRow, 'unhealthy'> | undefined): string {
  const failing = (row?.unhealthy ?? []).map((c) => `${c.name} ${c.health}${c.message ? ` (${c.message})` : ''}`);
  return failing.length > 0 ? `${reason}: ${failing.join('; ')}` : reason;
}

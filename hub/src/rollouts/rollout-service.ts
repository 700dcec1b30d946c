import { UNFINISHED_ROLLOUT_STATUSES, type AgentKind, type CreateRolloutBody, type Rollout, type RolloutPreview, type RolloutStrategy } from '@flotilla/protocol';
import type { z } from 'zod';
import { AppError } from '../errors.js';
import type { Database } from '../infra/index.js';
import type { Actor, Scope } from '../domain/access/roles.js';
import type { Notifier } from '../domain/shared/notifier.js';
import { isUuid } from '../domain/shared/db-errors.js';
import type { ReleaseRepository } from '../domain/releases/release-repository.js';
import { entitles, type EntitlementService } from '../domain/releases/entitlements.js';
import type { Entitlement } from '@flotilla/protocol';
import { transition } from '../domain/releases/lifecycle.js';
import { belowRequiredConflict, uninstallingConflict } from '../domain/installations/deploy-service.js';
import { assignWaves } from './planner.js';
import { reasonMessage, sortByRequiredPath, sortEligible, type Candidate, type IneligibleReason } from './eligibility.js';
import type { RolloutEngine } from './engine.js';
import type { RolloutRepository, RolloutRow } from './rollout-repository.js';
import { toResource } from './rollout-resource.js';

type CreateInput = z.output<typeof CreateRolloutBody>;

/** Waves for the eligible installations; explicit wave members must be among them. */
function formWaves(eligible: readonly Candidate[], strategy: RolloutStrategy): Map<string, number> {
  const ids = new Set(eligible.map((c) => c.id));
  const strangers = strategy.waves.flatMap((w) => ('installationIds' in w ? w.installationIds : [])).filter((id) => !ids.has(id));
  if (strangers.length > 0) throw new AppError('VALIDATION_FAILED', `strategy.waves: ${strangers.join(', ')} are not targets of this rollout`);
  return assignWaves([...ids], strategy.waves);
}

/** Creating, reading and steering rollouts; the engine does the moving. */
export class RolloutService {
  constructor(
    private readonly db: Database,
    private readonly repo: RolloutRepository,
    private readonly releases: ReleaseRepository,
    private readonly entitlements: EntitlementService,
    private readonly engine: RolloutEngine,
    private readonly notifier: Notifier,
    private readonly licenses: { blockedCustomers(vendorId: string, customerIds: readonly string[]): Promise<ReadonlyMap<string, unknown>> },
  ) {}

  /**
   * Validates that the release is ready and every target runs its track and is entitled to it, and
   * that no target is already in another moving rollout; assigns waves; starts the engine.
   */
  async create(actor: Actor, body: CreateInput): Promise<Rollout> {
    const { release, eligible, ineligible, steps, currentOf } = await this.eligibility(actor.vendorId, body);
    const explicit = new Set(body.targets.installationIds ?? []);
    const named = (reasons: IneligibleReason[]) => ineligible.filter((i) => reasons.includes(i.reason) && explicit.has(i.candidate.id)).map((i) => i.candidate);
    // Installations being uninstalled take no rollout: named ones are refused, the others left out.
    const uninstalling = named(['uninstalling'])[0];
    if (uninstalling) throw uninstallingConflict(uninstalling.name);
    const offTrack = named(['no-track', 'other-track']);
    if (offTrack.length > 0) throw new AppError('VALIDATION_FAILED', `targets: ${offTrack.map((c) => c.name).join(', ')} do not run this release's track`);
    // Each installation gets the release's components of its agent's kind; it needs at least one.
    const unrunnable = named(['wrong-agent-kind']);
    if (unrunnable.length > 0) {
      throw new AppError('VALIDATION_FAILED', `targets: ${unrunnable.map((c) => `${c.name} (${c.agent_kind} agent)`).join(', ')}: release ${release.version} has no component for that kind of agent`);
    }
    const expired = named(['license-expired']);
    if (expired.length > 0) {
      throw new AppError('CONFLICT', `targets: ${expired.map((c) => `${c.name} (${c.customer_name})`).join(', ')}: the customer's license expired and blocks updates; replace it with a later expiry`);
    }
    // A named installation is never taken back below a required release it runs; nor past one on hold.
    const below = ineligible.find((i) => i.reason === 'below-required-release' && explicit.has(i.candidate.id));
    if (below?.blocking) throw belowRequiredConflict(below.candidate.name, currentOf(below.candidate.release_id), below.blocking, release.version);
    const held = ineligible.find((i) => i.reason === 'required-release-on-hold' && explicit.has(i.candidate.id));
    if (held?.blocking) throw new AppError('CONFLICT', `targets: ${held.candidate.name}: required release ${held.blocking.version} comes before ${release.version} and is on hold; resume it first`);
    const uncovered = ineligible.find((i) => i.reason === 'required-release-not-entitled' && explicit.has(i.candidate.id));
    if (uncovered?.blocking) {
      throw new AppError('CONFLICT', `targets: ${uncovered.candidate.name}: required release ${uncovered.blocking.version} comes before ${release.version}, and ${uncovered.candidate.customer_name} is not entitled to it`);
    }
    const refused = ineligible.filter((i) => i.reason === 'not-entitled').map((i) => i.candidate.name);
    if (refused.length > 0 && !body.targets.all) throw new AppError('VALIDATION_FAILED', `targets: the customers of ${refused.join(', ')} are not entitled to release ${release.version}`);
    if (eligible.length === 0) throw new AppError('VALIDATION_FAILED', 'targets: no installation on this track is entitled to this release');

    const busy: { installation_id: string }[] = await this.db('rollout_targets as t')
      .join('rollouts as r', 'r.id', 't.rollout_id')
      .whereIn('r.status', UNFINISHED_ROLLOUT_STATUSES)
      .whereRaw('t.installation_id = ANY(?::uuid[])', [eligible.map((c) => c.id)])
      .select('t.installation_id');
    if (busy.length > 0) throw new AppError('CONFLICT', `${busy.length} target(s) are already in a rollout that has not finished; abort it first`);

    const strategy: RolloutStrategy = body.strategy;
    const waves = formWaves(eligible, strategy);
    const id = await this.repo.create(
      { vendorId: actor.vendorId, releaseId: release.id, strategy, stageCount: release.stages.length, createdBy: actor.userId },
      eligible.map((c) => ({ installationId: c.id, customerId: c.customer_id, wave: waves.get(c.id) ?? 0, steps: steps.get(c.id) ?? [] })),
    );
    await this.engine.trigger(id);
    return this.get(actor, id);
  }

  /**
   * What `create` would do with the same body, without doing it: the waves it would form and every
   * matched installation it would leave out, with the reason. Refuses what `create` refuses about
   * the release, unknown installations and wave members that are not eligible.
   */
  async preview(actor: Actor, body: CreateInput): Promise<RolloutPreview> {
    const { release, eligible, ineligible, steps } = await this.eligibility(actor.vendorId, body);
    const waves = formWaves(eligible, body.strategy);
    const byWave = new Map<number, string[]>();
    for (const c of eligible) {
      const w = waves.get(c.id) ?? 0;
      byWave.set(w, [...(byWave.get(w) ?? []), c.id]);
    }
    return {
      waves: [...byWave].sort(([a], [b]) => a - b).map(([index, installationIds]) => ({ index, installationIds })),
      eligibleCount: eligible.length,
      steps: eligible.flatMap((c) => {
        const required = steps.get(c.id) ?? [];
        return required.length > 0 ? [{ installationId: c.id, requiredSteps: required }] : [];
      }),
      ineligible: ineligible.map(({ candidate: c, reason, blocking }) => ({ installationId: c.id, name: c.name, customerName: c.customer_name, reason, message: reasonMessage(reason, c, release, blocking) })),
    };
  }

  /** The release (ready to roll out), the installations the targets match, and which of them it can take. */
  private async eligibility(vendorId: string, body: CreateInput) {
    const release = await this.releases.getRelease(vendorId, body.releaseId);
    if (!release) throw new AppError('VALIDATION_FAILED', `releaseId: no release ${body.releaseId}`);
    const ok = transition({ status: release.status, deployment: release.deployment, allPinned: true, checklistDone: true }, 'deploy');
    if (!ok.ok) throw new AppError('CONFLICT', `Cannot roll out release ${release.version}: ${ok.reason}`);
    if (release.stages.length === 0) throw new AppError('CONFLICT', `Release ${release.version} has no components`);
    // Composed as the engine will compose it: a component without a version is refused now, by name.
    await this.engine.compose(vendorId, release);

    const q = this.db('installations as i')
      .join('customers as c', 'c.id', 'i.customer_id')
      .where('i.vendor_id', vendorId)
      .select('i.id', 'i.customer_id', 'c.name as customer_name', 'i.track_id', 'i.name', 'i.agent_kind', 'i.lifecycle', 'i.release_id')
      .orderBy('i.created_at');
    const { installationIds, customerIds, all } = body.targets;
    if (!all) {
      q.where((w) => {
        if (installationIds?.length) w.orWhereIn('i.id', installationIds);
        if (customerIds?.length) w.orWhereIn('i.customer_id', customerIds);
      });
    }
    const found: Candidate[] = await q;
    const missing = (installationIds ?? []).filter((id) => !found.some((c) => c.id === id));
    if (missing.length > 0) throw new AppError('VALIDATION_FAILED', `targets: no installation ${missing.join(', ')}`);

    const kinds = await this.componentKinds(vendorId, release.stages);
    // One entitlement lookup per customer, not per installation (10 000 targets, a few customers).
    const now = new Date();
    const customers = [...new Set(found.filter((c) => c.track_id === release.track_id).map((c) => c.customer_id))];
    const entitledCustomers = new Set<string>();
    const entitlementOf = new Map<string, Entitlement>();
    await Promise.all(
      customers.map(async (customerId) => {
        const e = await this.entitlements.forTrack(vendorId, customerId, release.track_id);
        if (e) entitlementOf.set(customerId, e);
        if (e && entitles(e, release.version, now)) entitledCustomers.add(customerId);
      }),
    );
    const blockedCustomers = new Set((await this.licenses.blockedCustomers(vendorId, [...entitledCustomers])).keys());
    const sorted = sortEligible(found, { trackId: release.track_id, kinds, entitledCustomers, blockedCustomers });
    // Required releases: each eligible one's steps before this release, or why it cannot go there.
    const trackReleases = await this.releases.listReleases(vendorId, release.track_id);
    const byRequired = sortByRequiredPath(sorted.eligible, trackReleases, release, (c, step) => {
      const e = entitlementOf.get(c.customer_id);
      return e !== undefined && entitles(e, step.version, now);
    });
    const steps = new Map(byRequired.eligible.map(({ candidate, steps: s }) => [candidate.id, s.map((r) => ({ releaseId: r.id, version: r.version, stageCount: r.stages.length }))]));
    const versionOf = new Map(trackReleases.map((r) => [r.id, r.version]));
    return {
      release,
      eligible: byRequired.eligible.map((e) => e.candidate),
      ineligible: [...sorted.ineligible.map((i) => ({ ...i, blocking: undefined })), ...byRequired.ineligible],
      steps,
      currentOf: (releaseId: string | null) => (releaseId ? (versionOf.get(releaseId) ?? '?') : '?'),
    };
  }

  async list(scope: Scope): Promise<Rollout[]> {
    const rows = await this.repo.list(scope.vendorId, scope.customerId);
    return Promise.all(rows.map((r) => this.resource(r, scope.customerId)));
  }

  async get(scope: Scope, id: string): Promise<Rollout> {
    return this.resource(await this.row(scope, id), scope.customerId);
  }

  async timeline(scope: Scope, id: string, after?: number) {
    await this.row(scope, id);
    const events = await this.repo.timeline(id, after);
    return events.map((e) => ({ id: String(e.id), installationId: e.installation_id, type: e.type, stage: e.stage, revision: e.revision, message: e.message, at: e.at.toISOString() }));
  }

  /** pause | resume | abort: take effect at the next advance (queued at once). */
  async control(actor: Actor, id: string, action: 'pause' | 'resume' | 'abort'): Promise<Rollout> {
    await this.row(actor, id);
    const allowed: Record<typeof action, RolloutRow['status'][]> = { pause: ['pending', 'running'], resume: ['paused'], abort: [...UNFINISHED_ROLLOUT_STATUSES] };
    const status = action === 'pause' ? 'paused' : action === 'resume' ? 'running' : 'aborted';
    let ended: string[] = [];
    await this.db.transaction(async (trx) => {
      // Decide on the locked row: an advance may have finished the rollout meanwhile.
      const locked = await this.repo.lock(trx, id);
      if (!locked || !allowed[action].includes(locked.status)) throw new AppError('CONFLICT', `Cannot ${action} a ${locked?.status ?? 'missing'} rollout`);
      await this.repo.setStatus(trx, id, status, action === 'resume' ? null : `${action === 'pause' ? 'paused' : 'aborted'} by a vendor user`);
      await this.repo.event(trx, { rolloutId: id, type: action === 'abort' ? 'aborted' : action === 'pause' ? 'paused' : 'resumed', message: actor.userId });
      // Aborted is final: no target is left pending, waiting or in flight.
      if (status === 'aborted') ended = await this.repo.finishTargetsOnAbort(trx, id, locked.stage_count);
    });
    // Resumed: it moves on. Paused: rollbacks in flight go on.
    if (status !== 'aborted') await this.engine.trigger(id);
    const resource = await this.get(actor, id);
    const customerIds = [...new Set(resource.targets.map((t) => t.customerId))];
    const changed = new Set(ended);
    this.notifier.rolloutProgress({ vendorId: actor.vendorId, customerIds }, { rolloutId: id, status: resource.status, message: resource.message, waves: resource.waves, targets: resource.targets.filter((t) => changed.has(t.installationId)) });
    return resource;
  }

  /** A customer admin (or the vendor) approves one installation's update, now or for a later time. */
  async approve(actor: Actor, id: string, installationId: string, at?: string): Promise<Rollout> {
    await this.row(actor, id);
    if (at !== undefined && Date.parse(at) > Date.now() + 90 * 86_400_000) throw new AppError('VALIDATION_FAILED', 'at: schedule within the next 90 days');
    if (!isUuid(installationId)) throw AppError.notFound('Target');
    // Under the rollout's lock, like every timeline write: followers read the timeline by growing ids.
    await this.db.transaction(async (trx) => {
      await this.repo.lock(trx, id);
      const q = trx('rollout_targets').where({ rollout_id: id, installation_id: installationId });
      if (actor.customerId) q.where({ customer_id: actor.customerId });
      const updated = await q.update({ approved: true, approved_at: trx.fn.now(), approved_for: at ?? null, updated_at: trx.fn.now() });
      if (updated === 0) throw AppError.notFound('Target');
      await this.repo.event(trx, { rolloutId: id, installationId, type: 'approved', message: at ? `for ${at}` : actor.userId });
    });
    const resource = await this.get(actor, id);
    // Tell the vendor (and the customer's other users) at once, even if the advance has nothing to do yet.
    const target = resource.targets.filter((t) => t.installationId === installationId);
    this.notifier.rolloutProgress({ vendorId: actor.vendorId, customerIds: target.map((t) => t.customerId) }, { rolloutId: id, status: resource.status, message: resource.message, waves: resource.waves, targets: target });
    await this.engine.trigger(id);
    if (at) await this.engine.wakeAt(id, Date.parse(at));
    return resource;
  }

  /** The agent kinds the release has components for (its applications' kinds). */
  private async componentKinds(vendorId: string, stages: { applicationId: string }[][]): Promise<Set<AgentKind>> {
    const rows: { kind: AgentKind }[] = await this.db('applications')
      .where({ vendor_id: vendorId })
      .whereIn('id', stages.flat().map((c) => c.applicationId))
      .distinct('kind');
    return new Set(rows.map((r) => r.kind));
  }

  private async row(scope: Scope, id: string): Promise<RolloutRow> {
    const r = isUuid(id) ? await this.repo.get(scope.vendorId, id) : undefined;
    if (!r) throw AppError.notFound('Rollout');
    if (scope.customerId) {
      const mine = await this.db('rollout_targets').where({ rollout_id: id, customer_id: scope.customerId }).first('installation_id');
      if (!mine) throw AppError.notFound('Rollout');
    }
    return r;
  }

  private async resource(r: RolloutRow, customerId: string | null): Promise<Rollout> {
    const release = await this.releases.getRelease(r.vendor_id, r.release_id);
    const targets = await this.repo.targets(r.id, this.db, customerId);
    return toResource(r, release?.version ?? '?', targets);
  }
}


import { FINISHED_TARGET_STATUSES, RolloutStrategy, UNFINISHED_ROLLOUT_STATUSES, type RequiredStep } from '@flotilla/protocol';
import { AppError } from '../errors.js';
import type { Database } from '../infra/index.js';
import type { Scope } from '../domain/access/roles.js';
import { entitles, type EntitlementService } from '../domain/releases/entitlements.js';
import { transition } from '../domain/releases/lifecycle.js';
import type { ReleaseRepository, ReleaseRow } from '../domain/releases/release-repository.js';
import { requiredPath } from '../domain/releases/required-steps.js';
import type { InstallationRow } from '../domain/installations/installation-repository.js';
import { belowRequiredConflict } from '../domain/installations/deploy-service.js';
import type { RolloutEngine } from './engine.js';
import type { RolloutRepository } from './rollout-repository.js';

/**
 * Stepped deploys: a direct deploy of a release past required releases the installation has not
 * run becomes a one-installation rollout, so each required release is deployed and healthy on the
 * agent before the next (the rollout engine's health gates), then the target. Direct deploys
 * ignore maintenance windows and approvals and wait for an offline agent, so does this rollout.
 */

/** What a stepped deploy answers: the rollout, and its releases in order (the target last). */
export interface SteppedDeployResult {
  revision: number;
  rolloutId: string;
  steps: RequiredStep[];
}

/** A desired state as the agent applied it: which release (and stage of it) it came from. */
export interface AppliedSource {
  releaseId?: string;
  stage?: number;
  rollback?: boolean;
}

/**
 * Pure: the release an installation runs as its agent applied it, from its desired states up to
 * the applied revision, newest first. A direct release deploy, or a rollout's last stage of a
 * release, counts; a release only partly applied (an earlier stage) or a rollback step does not
 * (the release before it does). A single application version runs no release (null).
 */
export function appliedRelease(sources: readonly AppliedSource[], stageCount: (releaseId: string) => number | undefined): string | null {
  for (const s of sources) {
    if (s.rollback) continue;
    if (!s.releaseId) return null;
    if (s.stage === undefined || s.stage >= (stageCount(s.releaseId) ?? 0)) return s.releaseId;
  }
  return null;
}

/** Pure: why a required step cannot be deployed by this caller (null: it can). */
export function stepRefusal(step: Pick<ReleaseRow, 'version' | 'status' | 'deployment'>, target: string, entitled: boolean): string | null {
  if (step.status === 'hold') return `Required release ${step.version} comes before ${target} and is on hold: resume it first`;
  const ok = transition({ status: step.status, deployment: step.deployment, allPinned: true, checklistDone: true }, 'deploy');
  if (!ok.ok) return `Required release ${step.version} comes before ${target} and cannot be deployed: ${ok.reason}`;
  if (!entitled) return `Required release ${step.version} comes before ${target}, and your entitlement does not cover it: ask your vendor`;
  return null;
}

export class SteppedDeploy {
  constructor(
    private readonly db: Database,
    private readonly releases: ReleaseRepository,
    private readonly entitlements: EntitlementService,
    private readonly repo: RolloutRepository,
    private readonly engine: RolloutEngine,
  ) {}

  /**
   * The required releases the installation runs before `release`, oldest first (empty: straight
   * there), counted from the release it runs as applied — not merely desired: a deploy its agent
   * has not applied yet skips nothing. Going back below a required release it runs is refused.
   */
  async requiredSteps(scope: Scope, installation: InstallationRow, release: ReleaseRow): Promise<ReleaseRow[]> {
    const currentId = await this.runningRelease(installation);
    const current = currentId ? ((await this.releases.getRelease(installation.vendor_id, currentId))?.version ?? null) : null;
    const path = requiredPath(await this.releases.listReleases(installation.vendor_id, release.track_id), current, release.version);
    if (path.kind === 'below') throw belowRequiredConflict(installation.name, current ?? '', path.floor, release.version);
    if (path.steps.length === 0) return [];
    const entitlement = scope.customerId === null ? null : await this.entitlements.forTrack(scope.vendorId, scope.customerId, release.track_id);
    const now = new Date();
    for (const step of path.steps) {
      const refusal = stepRefusal(step, release.version, scope.customerId === null || (entitlement !== undefined && entitlement !== null && entitles(entitlement, step.version, now)));
      if (refusal) throw new AppError('CONFLICT', refusal, { requiredReleaseId: step.id, requiredVersion: step.version });
    }
    return path.steps;
  }

  /**
   * Refuses a deploy while a rollout steps the installation through required releases: the
   * rollout would go on overwriting what the deploy sets (abort it, then deploy).
   */
  async assertNotStepping(installation: InstallationRow): Promise<void> {
    const running: { id: string; version: string } | undefined = await this.db('rollout_targets as t')
      .join('rollouts as r', 'r.id', 't.rollout_id')
      .join('releases as rel', 'rel.id', 'r.release_id')
      .where('t.installation_id', installation.id)
      .whereIn('r.status', UNFINISHED_ROLLOUT_STATUSES)
      .whereNotIn('t.status', FINISHED_TARGET_STATUSES)
      .whereRaw('jsonb_array_length(t.steps) > 0')
      .first('r.id', 'rel.version');
    if (running) {
      throw new AppError('CONFLICT', `Installation "${installation.name}" is stepping through required releases to ${running.version} in rollout ${running.id}: wait for it to end, or abort it first`, {
        rolloutId: running.id,
      });
    }
  }

  /** Starts the one-installation rollout through `steps` to `release`; answers once it made its first move. */
  async start(scope: Scope, userId: string | null, installation: InstallationRow, release: ReleaseRow, steps: readonly ReleaseRow[]): Promise<SteppedDeployResult> {
    const busy: { id: string } | undefined = await this.db('rollout_targets as t')
      .join('rollouts as r', 'r.id', 't.rollout_id')
      .where('t.installation_id', installation.id)
      .whereIn('r.status', UNFINISHED_ROLLOUT_STATUSES)
      .first('r.id');
    if (busy) throw new AppError('CONFLICT', `Installation "${installation.name}" is in rollout ${busy.id}, which has not finished: wait for it to end, or abort it first`, { rolloutId: busy.id });
    // Like a direct deploy, it waits for an offline agent (as long as a rollout can: 30 days), not the default hour.
    const strategy = RolloutStrategy.parse({ waves: [{ count: 1 }], maxParallel: 1, respectMaintenanceWindows: false, requireCustomerApproval: false, offlineTimeoutSeconds: 30 * 86_400 });
    const required = steps.map((s) => ({ releaseId: s.id, version: s.version, stageCount: s.stages.length }));
    const id = await this.repo.create(
      { vendorId: scope.vendorId, releaseId: release.id, strategy, stageCount: release.stages.length, createdBy: userId },
      [{ installationId: installation.id, customerId: installation.customer_id, wave: 0, steps: required }],
    );
    // The first step is sent now when the agent can take it (the answer's revision); the queue moves the rest.
    await this.engine.advance(id).catch(() => this.engine.trigger(id));
    const row: { desired_revision: number } | undefined = await this.db('installations').where({ id: installation.id }).first('desired_revision');
    return { revision: row?.desired_revision ?? installation.desired_revision, rolloutId: id, steps: [...required, { releaseId: release.id, version: release.version, stageCount: release.stages.length }] };
  }

  /** The release the installation runs as applied (see appliedRelease); exactly its release once it applied its desired state. */
  private async runningRelease(installation: InstallationRow): Promise<string | null> {
    if (installation.applied_revision >= installation.desired_revision) return installation.release_id;
    if (installation.applied_revision <= 0) return null;
    const rows: { source: AppliedSource }[] = await this.db('desired_states')
      .where({ installation_id: installation.id })
      .where('revision', '<=', installation.applied_revision)
      .orderBy('revision', 'desc')
      .limit(100)
      .select('source');
    const ids = [...new Set(rows.flatMap((r) => (r.source.releaseId ? [r.source.releaseId] : [])))];
    const counts = new Map<string, number>();
    if (ids.length > 0) {
      const found: { id: string; stages: unknown[] }[] = await this.db('releases').where({ vendor_id: installation.vendor_id }).whereIn('id', ids).select('id', 'stages');
      for (const f of found) counts.set(f.id, f.stages.length);
    }
    return appliedRelease(rows.map((r) => r.source), (id) => counts.get(id));
  }
}


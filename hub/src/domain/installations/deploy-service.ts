import type { DeployBody, DesiredComponent } from '@flotilla/protocol';
import { AppError } from '../../errors.js';
import { isUuid } from '../shared/db-errors.js';
import type { Notifier } from '../shared/notifier.js';
import type { Scope } from '../access/roles.js';
import type { ApplicationRepository } from '../applications/application-repository.js';
import type { ReleaseRepository } from '../releases/release-repository.js';
import type { ReleaseService } from '../releases/release-service.js';
import { transition } from '../releases/lifecycle.js';
import type { ReleaseRow } from '../releases/release-repository.js';
import type { TrackRelease } from '../releases/required-steps.js';
import type { SteppedDeploy, SteppedDeployResult } from '../../rollouts/stepped-deploy.js';
import type { DesiredStateRepository } from './desired-state-repository.js';
import { composeRelease, composeVersion, desiredForRelease, forAgentKind, withConfig, componentKey, type InstallationConfig } from '../desired-state/compose.js';
import { loadRelease } from '../desired-state/release-loader.js';
import type { InstallationService } from './installation-service.js';
import type { InstallationRow } from './installation-repository.js';

/** What deploys need of licenses: an expired license may block its customer's updates. */
export interface UpdateGate {
  assertUpdatesAllowed(vendorId: string, customerId: string, customerName?: string): Promise<void>;
}

/** The answer to a deploy (or rollout) aimed at an installation whose agent is removing everything. */
export function uninstallingConflict(name: string): AppError {
  return new AppError('CONFLICT', `Installation "${name}" is being uninstalled; it takes no deploys or rollouts`);
}

/** The answer to a deploy or rollout that would take an installation back below a required release it runs. */
export function belowRequiredConflict(name: string, current: string, floor: Pick<TrackRelease, 'id' | 'version'>, target: string): AppError {
  const runs = current === floor.version ? `runs ${current}, a required release` : `runs ${current}, past required release ${floor.version}`;
  return new AppError('BELOW_REQUIRED_RELEASE', `Installation "${name}" ${runs}: it cannot go back to ${target} (${floor.version} or newer only)`, {
    requiredReleaseId: floor.id,
    requiredVersion: floor.version,
  });
}

export { componentName } from '../desired-state/compose.js';

interface Plan {
  components: DesiredComponent[];
  source: Record<string, unknown>;
  desiredVersion: string;
  releaseId: string | null;
  /** The application versions deployed. */
  versionIds: string[];
  /** A release past required ones: the release and those to run first (stepped-deploy.ts). */
  stepped?: { release: ReleaseRow; steps: ReleaseRow[] };
}

/**
 * Direct deploys: the installation's desired state becomes one application version, or a whole
 * release (its components in release order, as stages), in a new revision pushed to the agent the
 * moment it is stored. The agent applies stage k+1 only once stage k is healthy.
 */
export class DeployService {
  constructor(
    private readonly applications: ApplicationRepository,
    private readonly releases: ReleaseRepository,
    private readonly releaseService: ReleaseService,
    private readonly desired: DesiredStateRepository,
    private readonly installations: InstallationService,
    private readonly notifier: Notifier,
    private readonly licenses: UpdateGate,
    private readonly stepped: SteppedDeploy,
    /** The installation's configuration (environment, sealed secrets, helm values), by component. */
    private readonly config: { get(installationId: string): Promise<InstallationConfig> },
  ) {}

  async deploy(scope: Scope, userId: string | null, installationId: string, body: DeployBody): Promise<{ revision: number } | SteppedDeployResult> {
    const installation = await this.installations.row(scope, installationId);
    if (installation.lifecycle === 'uninstalling') throw uninstallingConflict(installation.name);
    await this.stepped.assertNotStepping(installation);
    if ('versionId' in body && scope.customerId !== null) throw new AppError('FORBIDDEN', 'Customers install releases: deploy a {releaseId}');
    await this.licenses.assertUpdatesAllowed(scope.vendorId, installation.customer_id, installation.customer_name);
    const config = await this.config.get(installationId);
    const plan = 'versionId' in body ? await this.versionPlan(scope.vendorId, installation, body.versionId, config) : await this.releasePlan(scope, installation, body.releaseId, config);
    // Past required releases: a one-installation rollout runs them, then the release (composed by the engine, configured the same way).
    if (plan.stepped) return this.stepped.start(scope, userId, installation, plan.stepped.release, plan.stepped.steps);
    const next = await this.desired.append(scope.vendorId, installationId, { ...plan, createdBy: userId });
    // Gone (404 from row()) or, since the check above, being uninstalled.
    if (!next) throw uninstallingConflict((await this.installations.row(scope, installationId)).name);
    if (plan.releaseId && installation.track_id) await this.releases.markDeployed(scope.vendorId, plan.releaseId, installation.track_id);
    if (next.agentId) this.notifier.desiredState(next.agentId, { installationId, revision: next.revision, components: plan.components });
    this.notifier.installationStatus({ vendorId: scope.vendorId, customerId: next.customerId }, await this.installations.status(scope, installationId));
    return { revision: next.revision };
  }

  /** A single application version is a one-component release. */
  private async versionPlan(vendorId: string, installation: InstallationRow, versionId: string, config: InstallationConfig): Promise<Plan> {
    const found = isUuid(versionId) ? await this.applications.findVersion(vendorId, versionId) : undefined;
    if (!found) throw new AppError('VALIDATION_FAILED', `versionId: no application version ${versionId}`);
    if (found.version.archivedAt !== null) {
      throw new AppError('CONFLICT', `Version ${found.version.version} of "${found.application.name}" is archived; restore it to deploy it, or deploy another version`);
    }
    const component = composeVersion(found.application, found.version, installation.agent_kind, installation.name);
    return {
      components: withConfig([component], config),
      source: { versionId: found.version.id, applicationId: found.application.id },
      desiredVersion: found.version.version,
      releaseId: null,
      versionIds: [found.version.id],
    };
  }

  private async releasePlan(scope: Scope, installation: InstallationRow, releaseId: string, config: InstallationConfig): Promise<Plan> {
    const vendorId = scope.vendorId;
    const release = isUuid(releaseId) ? await this.releases.getRelease(vendorId, releaseId) : undefined;
    if (!release) throw new AppError('VALIDATION_FAILED', `releaseId: no release ${releaseId}`);
    // Customers install only what their entitlement covers; an uncovered release does not exist for them.
    if (scope.customerId !== null) await this.releaseService.assertEntitled(vendorId, scope.customerId, release).catch(() => {
      throw new AppError('VALIDATION_FAILED', `releaseId: no release ${releaseId}`);
    });
    if (installation.track_id !== release.track_id) {
      throw new AppError('VALIDATION_FAILED', `Installation "${installation.name}" is ${installation.track_id ? 'on another track' : 'not on a track'}; release ${release.version} belongs to its own track`);
    }
    const allowed = transition({ status: release.status, deployment: release.deployment, allPinned: true, checklistDone: true }, 'deploy');
    if (!allowed.ok) throw new AppError('CONFLICT', `Cannot deploy release ${release.version}: ${allowed.reason}`);
    const steps = await this.stepped.requiredSteps(scope, installation, release);
    // The same composer as the rollout engine: an unpinned component is a 409, not dropped.
    const composed = composeRelease(await loadRelease(this.applications, vendorId, release));
    const components = desiredForRelease(composed, release.version, installation.agent_kind, config);
    const versionIds = forAgentKind(composed.components, installation.agent_kind).flatMap((c) => composed.versionIds.get(componentKey(c)) ?? []);
    return {
      components,
      source: { releaseId: release.id },
      desiredVersion: release.version,
      releaseId: release.id,
      versionIds,
      ...(steps.length > 0 ? { stepped: { release, steps } } : {}),
    };
  }
}

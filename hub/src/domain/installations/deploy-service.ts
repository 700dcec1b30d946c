import type { DeployBody, DesiredComponent } from '@flotilla/protocol';
import { AppError } from '../../errors.js';
import { isUuid } from '../shared/db-errors.js';
import type { Notifier } from '../shared/notifier.js';
import type { Scope } from '../access/roles.js';
import type { ApplicationRepository } from '../applications/application-repository.js';
import type { DesiredStateRepository } from './desired-state-repository.js';
import type { InstallationService } from './installation-service.js';
import { toStatus } from './installation-repository.js';

/** Component names double as compose project / helm release suffixes: lowercase, [a-z0-9_-]. */
export function componentName(applicationName: string): string {
  const slug = applicationName.toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^[-_]+|[-_]+$/g, '').slice(0, 63);
  return slug || 'app';
}

export class DeployService {
  constructor(
    private readonly applications: ApplicationRepository,
    private readonly desired: DesiredStateRepository,
    private readonly installations: InstallationService,
    private readonly notifier: Notifier,
  ) {}

  /**
   * Direct deploy: the installation's desired state becomes the given version (a new revision),
   * pushed to its agent the moment it is stored.
   */
  async deploy(scope: Scope, userId: string | null, installationId: string, body: DeployBody): Promise<{ revision: number }> {
    const installation = await this.installations.row(scope, installationId);
    const vendorId = scope.vendorId;
    if (!('versionId' in body)) throw new AppError('VALIDATION_FAILED', 'Releases arrive with release management; deploy a {versionId}');
    const found = isUuid(body.versionId) ? await this.applications.findVersion(vendorId, body.versionId) : undefined;
    if (!found) throw new AppError('VALIDATION_FAILED', `versionId: no application version ${body.versionId}`);
    const { version, application } = found;
    if (application.kind !== installation.agent_kind || !version.compose) {
      throw new AppError('VALIDATION_FAILED', `"${application.name}" is a ${application.kind} application; installation "${installation.name}" runs a ${installation.agent_kind} agent`);
    }
    const component: DesiredComponent = { name: componentName(application.name), kind: 'compose', version: version.version, stage: 1, spec: version.compose };
    const next = await this.desired.append(vendorId, installationId, {
      components: [component],
      source: { versionId: version.id, applicationId: application.id },
      desiredVersion: version.version,
      createdBy: userId,
    });
    if (!next) throw AppError.notFound('Installation');
    if (next.agentId) this.notifier.desiredState(next.agentId, { installationId, revision: next.revision, components: [component] });
    this.notifier.installationStatus({ vendorId, customerId: next.customerId }, toStatus(await this.installations.row(scope, installationId)));
    return { revision: next.revision };
  }
}

import { decide, type Access, type Membership } from '@flotilla/protocol';
import { AppError } from '../../errors.js';
import type { InstallationService } from '../installations/installation-service.js';

/** The agent a live log follow goes to. */
export interface LogFollowTarget {
  installationId: string;
  agentId: string;
}

/**
 * Decides whether a `/live` client may follow an installation's logs and through which agent: the
 * same rule and tenancy as REST (another tenant's installation is NOT_FOUND, a too-low role FORBIDDEN).
 */
export class LogFollowService {
  constructor(
    private readonly installations: Pick<InstallationService, 'row'>,
    private readonly access: Access,
  ) {}

  async target(memberships: readonly Membership[], installationId: string): Promise<LogFollowTarget> {
    let forbidden = false;
    // A user may belong to several vendors: the installation is looked up in each one they act for.
    for (const vendorId of new Set(memberships.map((m) => m.vendorId))) {
      const decision = decide(this.access, memberships, vendorId);
      if (!decision.allowed) {
        forbidden ||= decision.reason === 'forbidden';
        continue;
      }
      const { membership } = decision;
      const row = await this.installations.row({ vendorId: membership.vendorId, customerId: membership.customerId }, installationId).catch((err: unknown) => {
        if (err instanceof AppError && err.code === 'NOT_FOUND') return undefined;
        throw err;
      });
      if (!row) continue;
      if (row.agent_id === null) throw new AppError('CONFLICT', 'This installation has no agent yet: connect one first');
      return { installationId: row.id, agentId: row.agent_id };
    }
    if (forbidden) throw new AppError('FORBIDDEN', 'Your role may not follow this installation\'s logs');
    throw new AppError('NOT_FOUND', 'Installation not found');
  }
}

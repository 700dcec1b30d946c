import type { UninstallResponse } from '@flotilla/protocol';
import type { Database } from '../../infra/index.js';
import type { Logger } from '../../logger.js';
import { AppError } from '../../errors.js';
import type { Actor } from '../access/roles.js';
import type { CommandRepository, CommandRow } from '../commands/command-repository.js';
import type { CommandService } from '../commands/command-service.js';
import type { RolloutRepository } from '../../rollouts/rollout-repository.js';
import type { Notifier } from '../shared/notifier.js';
import type { InstallationRepository, InstallationRow } from './installation-repository.js';
import type { InstallationService } from './installation-service.js';

const SKIP_REASON = 'the installation is being uninstalled';
/** How long an uninstalled agent keeps its socket after its final report was stored. */
const DISCONNECT_AFTER_MS = 1000;

/**
 * `DELETE /installations/:id?uninstall=true`: the agent is sent an `uninstall` command (compose
 * `down`, helm `uninstall` of every component) and the installation is `uninstalling` meanwhile:
 * deploys, commands and rollouts refuse it, and the rollouts it has not finished skip it. When the
 * agent reports success the installation is deleted; when it reports failure (or refuses), it is
 * `active` again and the command's message says why. An offline agent gets the command when it
 * reconnects (hello hands over unfinished commands).
 */
export class UninstallService {
  constructor(
    private readonly db: Database,
    private readonly installations: InstallationService,
    private readonly repo: InstallationRepository,
    private readonly commands: CommandService,
    private readonly commandRepo: CommandRepository,
    private readonly rollouts: { repo: RolloutRepository; trigger(rolloutId: string): Promise<void> },
    private readonly notifier: Notifier,
    private readonly log: Logger,
  ) {}

  /** Starts the uninstall; asking again while it runs answers the same command. */
  async start(actor: Actor, installationId: string): Promise<UninstallResponse> {
    const row = await this.installations.row(actor, installationId);
    if (row.agent_version === null && row.last_seen_at === null) {
      throw new AppError('CONFLICT', `No agent has ever connected to installation "${row.name}", so it runs nothing to uninstall; delete it without uninstall=true`);
    }
    const started = await this.db.transaction(async (trx) => {
      const revision = await this.repo.markUninstalling(actor.vendorId, installationId, trx);
      if (revision === undefined) return undefined;
      const command = await this.commandRepo.create(
        { vendorId: actor.vendorId, installationId, customerId: row.customer_id, type: 'uninstall', payload: { revision }, createdBy: actor.userId },
        trx,
      );
      const rollouts = await this.rollouts.repo.skipUnfinishedTargetsOf(trx, installationId, SKIP_REASON);
      return { command, rollouts };
    });
    if (!started) return { commandId: await this.runningCommandId(row) };
    this.commands.created(started.command, row.agent_id);
    await this.installations.changed(actor.vendorId, installationId);
    // The rollouts move on without it (a freed slot, or nothing left to wait for).
    await Promise.all(started.rollouts.map((id) => this.rollouts.trigger(id)));
    this.log.info({ installationId, commandId: started.command.id, agentId: row.agent_id }, 'uninstall sent to the agent');
    return { commandId: started.command.id };
  }

  /** The uninstall command already under way (a second request, or one that raced this one). */
  private async runningCommandId(row: InstallationRow): Promise<string> {
    const running = await this.commandRepo.unfinishedOfType(row.id, 'uninstall');
    if (!running) throw new AppError('CONFLICT', `Installation "${row.name}" is already being uninstalled`);
    return running.id;
  }

  /** An uninstall command finished: the installation goes (succeeded) or is active again (failed, refused). */
  async commandFinished(command: CommandRow): Promise<void> {
    if (command.type !== 'uninstall') return;
    const scope = { vendorId: command.vendor_id, customerId: null };
    const row = await this.repo.get(scope, command.installation_id);
    if (!row) return;
    if (command.status === 'succeeded') {
      await this.repo.delete(scope, row.id);
      // The credentials are gone with the row; the connection is dropped once the agent has the
      // answer to this very report (dropping it now would lose that ack).
      const agentId = row.agent_id;
      if (agentId) setTimeout(() => this.notifier.disconnectAgent(agentId), DISCONNECT_AFTER_MS).unref();
      this.installations.removed(row);
      this.log.info({ installationId: row.id, commandId: command.id }, 'uninstalled by the agent; installation deleted');
      return;
    }
    if (!(await this.repo.setLifecycle(command.vendor_id, row.id, 'uninstalling', 'active'))) return;
    const message = `Uninstall ${command.status === 'refused' ? 'refused by the agent' : 'failed'}: ${command.message ?? 'no reason given'}`;
    await this.repo.addEvent(command.vendor_id, row.id, { type: 'uninstall-failed', message, data: { commandId: command.id } });
    await this.installations.changed(command.vendor_id, row.id);
    this.log.warn({ installationId: row.id, commandId: command.id, message }, 'uninstall did not complete; installation active again');
  }
}

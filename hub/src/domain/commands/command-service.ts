import { CommandType, type Command, type CommandAck, type CommandPage, type CommandProgress, type CreateCommandBody, type InstallationCommand, type InstallationCommandDetail, type LogsChunk } from '@flotilla/protocol';
import { Batcher, stormBatching, type BatchFlushObserver } from '../shared/batcher.js';
import type { z } from 'zod';
import { AppError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { Actor, Scope } from '../access/roles.js';
import type { AgentIdentity } from '../agents/agent-repository.js';
import type { DesiredStateRepository } from '../installations/desired-state-repository.js';
import type { InstallationService } from '../installations/installation-service.js';
import { isUuid } from '../shared/db-errors.js';
import type { Notifier } from '../shared/notifier.js';
import type { PageRequest } from '../shared/pagination.js';
import type { ShippedAgentImages } from './agent-update.js';
import { toCommand, type CommandRepository, type CommandRow } from './command-repository.js';
import { FINISHED, planCommand, statusFromProgress } from './command-rules.js';

type CreateBody = z.output<typeof CreateCommandBody>;

/**
 * Commands to an installation's agent: created here (validated against the installation and who
 * asks), delivered through the `agent-commands` queue, re-sent on every hello until finished, and
 * moved forward by the agent's acks and progress reports. PostgreSQL holds every command's state.
 */
export class CommandService {
  constructor(
    private readonly repo: CommandRepository,
    private readonly installations: InstallationService,
    private readonly desired: DesiredStateRepository,
    private readonly notifier: Notifier,
    private readonly shipped: ShippedAgentImages,
    private readonly log: Logger,
    /** Told of each flush of the hello path's batch (metrics). */
    private readonly onFlush?: BatchFlushObserver,
  ) {}

  private readonly finishedListeners: ((row: CommandRow) => Promise<void>)[] = [];

  /** Called (and awaited) after a command reached succeeded, failed or refused, once. */
  onFinished(listener: (row: CommandRow) => Promise<void>): void {
    this.finishedListeners.push(listener);
  }

  async create(actor: Actor, installationId: string, body: CreateBody): Promise<InstallationCommand> {
    const installation = await this.installations.row(actor, installationId);
    // An agent that is removing everything must not be asked to redeploy or restart any of it.
    if (installation.lifecycle === 'uninstalling') throw new AppError('CONFLICT', `Installation "${installation.name}" is being uninstalled; it takes no commands`);
    const desired = await this.desired.current(actor.vendorId, installationId);
    const decision = planCommand({
      body,
      byCustomer: actor.customerId !== null,
      agentKind: installation.agent_kind,
      desiredComponents: desired?.components.map((c) => c.name) ?? [],
      agentVersion: installation.agent_version,
      shipped: this.shipped,
    });
    if (!decision.ok) throw new AppError(decision.code, decision.message);
    const row = await this.repo.create({
      vendorId: actor.vendorId,
      installationId,
      customerId: installation.customer_id,
      type: body.type,
      payload: decision.payload,
      createdBy: actor.userId,
    });
    this.created(row, installation.agent_id);
    return toCommand(row);
  }

  /** A command just stored (here or by another service): shown live and queued for its agent (a later hello delivers it anyway). */
  created(row: CommandRow, agentId: string | null): void {
    this.changed(row);
    if (agentId !== null) this.notifier.deliverCommand(agentId, row.installation_id, row.id);
  }

  async list(scope: Scope, installationId: string, page: PageRequest): Promise<CommandPage> {
    await this.installations.row(scope, installationId);
    const rows = await this.repo.list(scope, installationId, page);
    return { items: rows.items.map(toCommand), nextCursor: rows.nextCursor };
  }

  async get(scope: Scope, installationId: string, commandId: string): Promise<InstallationCommandDetail> {
    await this.installations.row(scope, installationId);
    const row = isUuid(commandId) ? await this.repo.get(scope, installationId, commandId) : undefined;
    if (!row) throw AppError.notFound('Command');
    const logs = row.type === 'collect-logs' ? await this.repo.logs(row.id) : { chunks: [], complete: false };
    return { ...toCommand(row), logs: logs.chunks, logsComplete: logs.complete };
  }

  /** The commands an agent has not finished, as it receives them (hello ack, HTTP poll). */
  async pendingCommands(installationId: string): Promise<Command[]> {
    return (await this.unfinishedOf.submit(installationId)).map(toAgentCommand);
  }

  /** A command still waiting for its first delivery, as the agent receives it. */
  async deliverable(installationId: string, commandId: string): Promise<Command | undefined> {
    const row = await this.repo.getForInstallation(installationId, commandId);
    return row?.status === 'pending' ? toAgentCommand(row) : undefined;
  }

  /** The agent's answer to a delivery: accepted → delivered; refused → refused, with its reason. */
  async acknowledged(commandId: string, ack: CommandAck): Promise<void> {
    const row = ack.accepted
      ? await this.repo.move(commandId, 'delivered', undefined, false)
      : await this.repo.move(commandId, 'refused', ack.reason ?? 'refused by the agent', true);
    if (row) await this.changedOrFinished(row);
  }

  /**
   * A new handshake: self-updates waiting for this agent version are done. Returns what the agent
   * must still run (re-sent on every hello; the agent skips ids it already handled).
   */
  async agentConnected(identity: AgentIdentity, agentVersion: string): Promise<Command[]> {
    const unfinished = await this.unfinishedOf.submit(identity.installationId);
    const waiting = unfinished.filter((c) => c.type === 'self-update' && c.status === 'running' && c.payload.agentVersion === agentVersion);
    for (const w of waiting) {
      const row = await this.repo.move(w.id, 'succeeded', `agent reconnected running ${agentVersion}`, true);
      if (row) this.changed(row);
    }
    return unfinished.filter((c) => !waiting.includes(c)).map(toAgentCommand);
  }

  /** Unfinished commands per installation, read for many hellos at once (reconnect storms). */
  private readonly unfinishedOf = new Batcher(async (installationIds: string[]) => {
    const byInstallation = await this.repo.unfinishedMany(installationIds);
    return installationIds.map((id) => byInstallation.get(id) ?? []);
  }, stormBatching('unfinished-commands', () => this.onFlush));

  /**
   * `recorded` runs once the command is known to be the agent's, before the move (a finished
   * uninstall deletes the installation, and whatever else belongs to it, right after).
   */
  async progress(identity: AgentIdentity, progress: CommandProgress): Promise<void> {
    const current = await this.ownCommand(identity, progress.id);
    const next = statusFromProgress(current.type, progress.status);
    const message = next.awaitingReconnect ? `the replacement agent was started; waiting for it to connect with ${current.payload.agentVersion ?? '?'}` : (progress.message ?? null);
    const finished = next.status === 'succeeded' || next.status === 'failed';
    const row = (await this.repo.move(current.id, next.status, message, finished)) ?? (next.awaitingReconnect ? await this.repo.setMessage(current.id, message ?? '') : undefined);
    if (row) await this.changedOrFinished(row);
  }

  /** Shows the change live; a command that just finished goes to the listeners (the move happens once). */
  private async changedOrFinished(row: CommandRow): Promise<void> {
    this.changed(row);
    if (!FINISHED.includes(row.status)) return;
    for (const listener of this.finishedListeners) {
      try {
        await listener(row);
      } catch (err) {
        this.log.error({ err, commandId: row.id, type: row.type }, 'acting on a finished command failed');
      }
    }
  }

  async logs(identity: AgentIdentity, chunk: LogsChunk): Promise<void> {
    const command = await this.ownCommand(identity, chunk.commandId);
    if (command.type !== 'collect-logs') throw new AppError('CONFLICT', `Command ${command.id} is a ${command.type}, not collect-logs`);
    const kept = await this.repo.appendLogs(command.id, { component: chunk.component ?? null, lines: chunk.lines, done: chunk.done ?? false });
    if (kept < chunk.lines.length) this.log.warn({ commandId: command.id, dropped: chunk.lines.length - kept }, 'log lines beyond the per-command limit dropped');
  }

  private async ownCommand(identity: AgentIdentity, id: string): Promise<CommandRow> {
    const row = isUuid(id) ? await this.repo.getForInstallation(identity.installationId, id) : undefined;
    if (!row) throw new AppError('NOT_FOUND', `No command ${id} for this installation`);
    return row;
  }

  private changed(row: CommandRow): void {
    this.notifier.commandChanged({ vendorId: row.vendor_id, customerId: row.customer_id }, toCommand(row));
  }
}

export function toAgentCommand(row: CommandRow): Command {
  const { targets, image, agentVersion, lines, revision } = row.payload;
  return {
    id: row.id,
    type: CommandType.parse(row.type),
    ...(targets === undefined ? {} : { targets }),
    ...(image === undefined ? {} : { image }),
    ...(agentVersion === undefined ? {} : { agentVersion }),
    ...(lines === undefined ? {} : { lines }),
    ...(revision === undefined ? {} : { revision }),
  };
}

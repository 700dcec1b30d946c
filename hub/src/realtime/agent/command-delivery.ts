import { randomUUID } from 'node:crypto';
import { CommandAck } from '@flotilla/protocol';
import type { Queues } from '../../infra/index.js';
import type { Logger } from '../../logger.js';
import type { CommandService } from '../../domain/commands/command-service.js';
import type { AgentNamespace } from '../namespaces.js';
import { agentRoom } from '../notifier.js';

export const DELIVER_COMMAND_JOB = 'deliver-command';
const ACK_TIMEOUT_MS = 10_000;

export interface CommandDeliveryJob {
  agentId: string;
  installationId: string;
  commandId: string;
}

/**
 * Delivers one command to one agent through the `agent-commands` queue: any hub process's worker
 * emits `command` to the agent's room and waits for the ack. `{accepted}` moves the command to
 * delivered or refused; no ack → the job fails and BullMQ retries with backoff. An offline agent
 * needs nothing: the command stays pending in PostgreSQL and the next hello hands it over.
 */
export class CommandDelivery {
  constructor(
    private readonly agents: AgentNamespace,
    private readonly queues: Queues,
    private readonly commands: CommandService,
    private readonly log: Logger,
  ) {}

  async enqueue(agentId: string, installationId: string, commandId: string): Promise<void> {
    await this.queues
      .queue<CommandDeliveryJob>('agent-commands')
      .add(DELIVER_COMMAND_JOB, { agentId, installationId, commandId }, { jobId: `command-${commandId}-${randomUUID()}`, attempts: 6, backoff: { type: 'exponential', delay: 1000 } });
  }

  async deliver({ agentId, installationId, commandId }: CommandDeliveryJob): Promise<void> {
    const command = await this.commands.deliverable(installationId, commandId);
    if (!command) return; // already acked, refused or finished
    const sockets = await this.agents.in(agentRoom(agentId)).fetchSockets();
    if (sockets.length === 0) return; // offline: hello will bring it
    const responses = await this.agents.to(agentRoom(agentId)).timeout(ACK_TIMEOUT_MS).emitWithAck('command', command);
    const acks = responses.map((r) => CommandAck.safeParse(r)).flatMap((p) => (p.success ? [p.data] : []));
    const ack = acks.find((a) => a.accepted) ?? acks[0];
    if (!ack) {
      this.log.warn({ agentId, commandId, responses }, 'agent did not answer a command with an ack');
      throw new Error(`agent ${agentId} did not acknowledge command ${commandId}`);
    }
    await this.commands.acknowledged(commandId, ack);
  }
}

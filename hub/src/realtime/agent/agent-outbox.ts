import { randomUUID } from 'node:crypto';
import { CommandAck, type DesiredState } from '@flotilla/protocol';
import type { CommandService } from '../../domain/commands/command-service.js';
import type { DesiredStateRepository } from '../../domain/installations/desired-state-repository.js';
import type { Queues } from '../../infra/index.js';
import type { PushOutcome } from '../../infra/metrics.js';
import type { Logger } from '../../logger.js';
import type { AgentNamespace } from '../namespaces.js';
import { agentRoom } from '../notifier.js';

/** The queue every hub process's worker serves; jobs name the message kind (kept stable: jobs queued by an older hub still run). */
const QUEUE = 'agent-commands';
export const DELIVER_DESIRED_STATE_JOB = 'deliver-desired';
export const DELIVER_COMMAND_JOB = 'deliver-command';
/** How long an agent has to acknowledge any message (a desired state or a command). */
export const DEFAULT_ACK_TIMEOUT_MS = 10_000;
/** One retry policy for every queued delivery: ~1 min of exponential backoff, then hello brings it. */
const RETRY = { attempts: 6, backoff: { type: 'exponential', delay: 1000 } } as const;

interface DesiredStateJob {
  agentId: string;
  installationId: string;
}

interface CommandJob {
  agentId: string;
  installationId: string;
  commandId: string;
}

/**
 * What queued deliveries read and record. A job carries ids only: the message is read when it is
 * sent, so a retry sends what is current (the latest desired state; a command only while pending).
 */
export interface OutboxSources {
  /** `currentOf`: the installation's current desired state as stored (secrets sealed), or null. */
  desiredStates: Pick<DesiredStateRepository, 'currentOf'>;
  /** `deliverable`: the command while it awaits delivery; `acknowledged`: delivered, or refused with the agent's reason. */
  commands: Pick<CommandService, 'deliverable' | 'acknowledged'>;
}

export interface AgentOutboxOptions {
  /** The copy an agent receives (secrets opened): applied to every desired state on its way out. */
  forAgent: (state: DesiredState) => DesiredState;
  ackTimeoutMs?: number;
  /** Told how each push ended and how long it took (metrics). */
  onPushed?: (outcome: PushOutcome, seconds: number) => void;
}

/**
 * The one way messages reach agents with an acknowledgement: desired states and commands.
 *
 * - A desired state is pushed at once (`push`): no job, no database read. An agent connected but
 *   not accepting it in time gets a queued delivery of its installation's current state.
 * - A command is queued (`command`): it is stored first, the job reads it and records the ack.
 * - Queued deliveries run on any hub process's worker of the `agent-commands` queue: it emits to the
 *   agent's room (the adapter finds the process holding the socket) and waits for the ack; no ack →
 *   the job fails and is retried with backoff (RETRY).
 * - An offline agent needs nothing: what it must get stays in PostgreSQL and its next hello (or HTTP
 *   poll) returns it.
 *
 * Sources are given at `start` (the worker's reads): pushing and queueing need none, so the outbox
 * can be built before the services that store what it delivers (they need it to notify).
 */
export class AgentOutbox {
  private readonly ackTimeoutMs: number;
  private readonly forAgent: (state: DesiredState) => DesiredState;
  private readonly onPushed: (outcome: PushOutcome, seconds: number) => void;
  private stopped = false;

  constructor(
    private readonly agents: AgentNamespace,
    private readonly queues: Queues,
    private readonly log: Logger,
    options: AgentOutboxOptions,
  ) {
    this.forAgent = options.forAgent;
    this.ackTimeoutMs = options.ackTimeoutMs ?? DEFAULT_ACK_TIMEOUT_MS;
    this.onPushed = options.onPushed ?? (() => undefined);
  }

  /**
   * Pushes a desired state now: straight to the agent's socket when this process holds it, else
   * through the adapter to the process that does. No job, no database read on this path (a rollout
   * wave is thousands of these). An agent that is connected but does not accept it in time gets a
   * queued, retried delivery of its current state; an offline agent gets it from its next hello.
   */
  push(agentId: string, state: DesiredState): void {
    if (this.stopped) return;
    let copy: DesiredState;
    try {
      copy = this.forAgent(state);
    } catch (err) {
      // A secret sealed under another SECRETS_KEY: stored, but not deliverable until the key is right.
      this.log.error({ err, agentId, installationId: state.installationId }, 'cannot open the secrets of a desired state');
      return;
    }
    const started = performance.now();
    this.emitState(agentId, copy)
      .then((outcome) => {
        this.onPushed(outcome, (performance.now() - started) / 1000);
        if (outcome !== 'unacknowledged') return;
        this.log.warn({ agentId, installationId: state.installationId, revision: state.revision }, 'desired state not acknowledged; queuing a retry');
        return this.enqueueDesiredState(agentId, state.installationId);
      })
      .catch((err: unknown) => this.log.error({ err, agentId }, 'could not deliver a desired state'));
  }

  /**
   * Queues the delivery of a stored command (acked, retried; hello hands it over anyway). Like
   * `push`, returns at once: a queue that cannot be written is logged, the command stays pending.
   */
  command(agentId: string, installationId: string, commandId: string): void {
    this.queues
      .queue<CommandJob>(QUEUE)
      .add(DELIVER_COMMAND_JOB, { agentId, installationId, commandId }, { jobId: `command-${commandId}-${randomUUID()}`, ...RETRY })
      .catch((err: unknown) => this.log.error({ err, agentId, commandId }, 'could not queue a command delivery'));
  }

  /** Queues a delivery of the installation's current desired state (the latest always wins). */
  private async enqueueDesiredState(agentId: string, installationId: string): Promise<void> {
    await this.queues.queue<DesiredStateJob>(QUEUE).add(DELIVER_DESIRED_STATE_JOB, { agentId, installationId }, { jobId: `deliver-${installationId}-${randomUUID()}`, ...RETRY });
  }

  /** Serves the queue on this process (hub processes that run workers). */
  start(sources: OutboxSources): void {
    this.queues.work<DesiredStateJob | CommandJob>(
      QUEUE,
      async (job) => {
        if (job.name === DELIVER_DESIRED_STATE_JOB) return this.deliverState(sources, job.data);
        if (job.name === DELIVER_COMMAND_JOB && 'commandId' in job.data) return this.deliverCommand(sources, job.data);
        throw new Error(`no handler for ${QUEUE} job ${job.name}`);
      },
      { concurrency: 16 },
    );
  }

  /** No more pushes (the process is shutting down; agents get their state from their next hello). */
  stop(): void {
    this.stopped = true;
  }

  private async emitState(agentId: string, state: DesiredState): Promise<PushOutcome> {
    const room = agentRoom(agentId);
    const localIds = this.agents.adapter.rooms.get(room);
    const local = localIds && localIds.size > 0 ? [...localIds].flatMap((id) => this.agents.sockets.get(id) ?? []) : [];
    try {
      if (local.length > 0) {
        const responses = await Promise.all(local.map((socket) => socket.timeout(this.ackTimeoutMs).emitWithAck('state:desired', state)));
        return responses.some((r) => r.accepted) ? 'accepted' : 'unacknowledged';
      }
      const responses = await this.agents.to(room).timeout(this.ackTimeoutMs).emitWithAck('state:desired', state);
      if (responses.length === 0) return 'offline';
      return responses.some((r) => r.accepted) ? 'accepted' : 'unacknowledged';
    } catch {
      return 'unacknowledged'; // timed out
    }
  }

  /** Whether any hub process holds a socket of the agent (queued deliveries skip offline agents). */
  private async online(agentId: string): Promise<boolean> {
    return (await this.agents.in(agentRoom(agentId)).fetchSockets()).length > 0;
  }

  private async deliverState(sources: OutboxSources, { agentId, installationId }: DesiredStateJob): Promise<void> {
    const stored = await sources.desiredStates.currentOf(installationId);
    if (!stored || !(await this.online(agentId))) return; // offline: hello will bring it
    let state: DesiredState;
    try {
      state = this.forAgent(stored);
    } catch (err) {
      // No retry opens it with the wrong key: drop the job, hello serves it once the key is right.
      this.log.error({ err, agentId, installationId }, 'cannot open the secrets of a desired state');
      return;
    }
    const responses = await this.agents.to(agentRoom(agentId)).timeout(this.ackTimeoutMs).emitWithAck('state:desired', state);
    if (!responses.some((r) => r.accepted)) {
      this.log.warn({ agentId, installationId, responses }, 'agent refused a desired state');
      throw new Error(`agent ${agentId} did not accept revision ${state.revision}`);
    }
  }

  private async deliverCommand(sources: OutboxSources, { agentId, installationId, commandId }: CommandJob): Promise<void> {
    const command = await sources.commands.deliverable(installationId, commandId);
    if (!command || !(await this.online(agentId))) return; // already answered, or offline: hello will bring it
    const responses = await this.agents.to(agentRoom(agentId)).timeout(this.ackTimeoutMs).emitWithAck('command', command);
    const acks = responses.map((r) => CommandAck.safeParse(r)).flatMap((p) => (p.success ? [p.data] : []));
    const ack = acks.find((a) => a.accepted) ?? acks[0];
    if (!ack) {
      this.log.warn({ agentId, commandId, responses }, 'agent did not answer a command with an ack');
      throw new Error(`agent ${agentId} did not acknowledge command ${commandId}`);
    }
    await sources.commands.acknowledged(commandId, ack);
  }
}

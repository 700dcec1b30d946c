import { randomUUID } from 'node:crypto';
import type { DesiredState } from '@flotilla/protocol';
import type { Queues } from '../../infra/index.js';
import type { Logger } from '../../logger.js';
import type { AgentNamespace } from '../namespaces.js';
import { agentRoom } from '../notifier.js';

export const DELIVER_JOB = 'deliver-desired';
const ACK_TIMEOUT_MS = 10_000;

interface DeliveryJob {
  agentId: string;
  installationId: string;
}

/**
 * Delivers desired states to agents through the `agent-commands` queue: any hub process's worker
 * emits to the agent's room (the adapter finds the node holding its socket) and waits for the ack.
 * No ack from a connected agent → the job fails and BullMQ retries with backoff. An offline agent
 * needs nothing: the state stays in PostgreSQL and its next hello returns it.
 */
export class AgentDelivery {
  constructor(
    private readonly agents: AgentNamespace,
    private readonly queues: Queues,
    private readonly current: (installationId: string) => Promise<DesiredState | null>,
    private readonly log: Logger,
    /** Told how each push ended and how long it took (metrics). */
    private readonly onPushed: (outcome: 'accepted' | 'offline' | 'unacknowledged', seconds: number) => void = () => undefined,
  ) {}

  /**
   * Pushes a desired state now: straight to the agent's socket when this process holds it, else
   * through the adapter to the process that does. No job, no database read on this path (a rollout
   * wave is thousands of these). An agent that is connected but does not accept it in time gets a
   * queued, retried delivery of its current state; an offline agent gets it from its next hello.
   */
  push(agentId: string, state: DesiredState): void {
    if (this.stopped) return;
    const started = performance.now();
    this.emit(agentId, state)
      .then((outcome) => {
        this.onPushed(outcome, (performance.now() - started) / 1000);
        if (outcome !== 'unacknowledged') return;
        this.log.warn({ agentId, installationId: state.installationId, revision: state.revision }, 'desired state not acknowledged; queuing a retry');
        return this.enqueue(agentId, state.installationId);
      })
      .catch((err: unknown) => this.log.error({ err, agentId }, 'could not deliver a desired state'));
  }

  private async emit(agentId: string, state: DesiredState): Promise<'accepted' | 'offline' | 'unacknowledged'> {
    const room = agentRoom(agentId);
    const localIds = this.agents.adapter.rooms.get(room);
    const local = localIds && localIds.size > 0 ? [...localIds].flatMap((id) => this.agents.sockets.get(id) ?? []) : [];
    try {
      if (local.length > 0) {
        const responses = await Promise.all(local.map((socket) => socket.timeout(ACK_TIMEOUT_MS).emitWithAck('state:desired', state)));
        return responses.some((r) => r.accepted) ? 'accepted' : 'unacknowledged';
      }
      const responses = await this.agents.to(room).timeout(ACK_TIMEOUT_MS).emitWithAck('state:desired', state);
      if (responses.length === 0) return 'offline';
      return responses.some((r) => r.accepted) ? 'accepted' : 'unacknowledged';
    } catch {
      return 'unacknowledged'; // timed out
    }
  }

  /** Queues a delivery of the installation's current desired state (the latest always wins). */
  async enqueue(agentId: string, installationId: string): Promise<void> {
    await this.queues
      .queue<DeliveryJob>('agent-commands')
      .add(DELIVER_JOB, { agentId, installationId }, { jobId: `deliver-${installationId}-${randomUUID()}`, attempts: 6, backoff: { type: 'exponential', delay: 1000 } });
  }

  private stopped = false;

  /** No more pushes (the process is shutting down; agents get their state from their next hello). */
  stop(): void {
    this.stopped = true;
  }

  /** Other jobs sharing the `agent-commands` queue (one worker serves the queue), by job name. */
  private readonly otherJobs = new Map<string, (data: unknown) => Promise<void>>();

  handle<T>(jobName: string, run: (data: T) => Promise<void>): void {
    this.otherJobs.set(jobName, (data) => run(data as T));
  }

  start(): void {
    this.queues.work<DeliveryJob>(
      'agent-commands',
      async (job) => {
        if (job.name === DELIVER_JOB) return this.deliver(job.data);
        const run = this.otherJobs.get(job.name);
        if (!run) throw new Error(`no handler for agent-commands job ${job.name}`);
        return run(job.data);
      },
      { concurrency: 16 },
    );
  }

  private async deliver({ agentId, installationId }: DeliveryJob): Promise<void> {
    const state = await this.current(installationId);
    if (!state) return;
    const sockets = await this.agents.in(agentRoom(agentId)).fetchSockets();
    if (sockets.length === 0) return; // offline: hello will bring it
    const responses = await this.agents.to(agentRoom(agentId)).timeout(ACK_TIMEOUT_MS).emitWithAck('state:desired', state);
    if (!responses.some((r) => r.accepted)) {
      this.log.warn({ agentId, installationId, responses }, 'agent refused a desired state');
      throw new Error(`agent ${agentId} did not accept revision ${state.revision}`);
    }
  }
}

import { randomUUID } from 'node:crypto';
import { CommandAck, LiveLogFollow, LiveLogUnfollow, liveRooms, type LiveLogFollowAck, type LogStreamChunk, type OkAck } from '@flotilla/protocol';
import { AppError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { LogFollowService } from '../../domain/logs/log-follow-service.js';
import { DEFAULT_LOG_FOLLOW_TAIL, type LogFollowSettings } from '../../domain/logs/log-follow-settings.js';
import type { AgentIdentity } from '../../domain/agents/agent-repository.js';
import type { AgentNamespace, LiveNamespace, LiveSocket } from '../namespaces.js';
import { agentRoom } from '../notifier.js';
import { onValidated } from '../validated.js';

const AGENT_ACK_TIMEOUT_MS = 10_000;

/**
 * Live log tails. A `/live` client asks `logs:follow`; the hub checks it may (LogFollowService) and
 * asks the installation's agent to follow, through the agent's room (the adapter reaches the hub
 * process holding the agent). The agent's chunks arrive wherever the agent is connected and go to
 * the follow's room, which only the asking client joined; the room is named with the agent, so an
 * agent can never write into another installation's follow. The follow is stopped when its client
 * asks, or disconnects (the page closed); the agent also ends it after the maximum duration and
 * when its own hub connection drops.
 */
export class LogFollowRelay {
  constructor(
    private readonly live: LiveNamespace,
    private readonly agents: AgentNamespace,
    private readonly follows: LogFollowService,
    private readonly settings: LogFollowSettings,
    private readonly log: Logger,
  ) {}

  /** Registers the client events on every `/live` connection. */
  register(): void {
    this.live.on('connection', (socket) => {
      const mine = new Map<string, string>(); // followId → agentId
      onValidated(socket, 'logs:follow', LiveLogFollow, (request) => this.follow(socket, mine, request), this.log);
      onValidated(socket, 'logs:unfollow', LiveLogUnfollow, ({ followId }) => this.unfollow(socket, mine, followId), this.log);
      socket.on('disconnect', () => {
        for (const followId of [...mine.keys()]) this.unfollow(socket, mine, followId);
      });
    });
  }

  /** An agent's chunk: to the follow's clients, then acknowledged (the agent's credit back). */
  relay(identity: AgentIdentity, chunk: LogStreamChunk): OkAck {
    this.live.to(liveRooms.logFollow(identity.agentId, chunk.followId)).emit('logs:lines', {
      followId: chunk.followId,
      installationId: identity.installationId,
      lines: chunk.lines,
      ...(chunk.dropped ? { dropped: chunk.dropped } : {}),
      ...(chunk.end ? { end: chunk.end } : {}),
    });
    return { ok: true };
  }

  private async follow(socket: LiveSocket, mine: Map<string, string>, request: LiveLogFollow): Promise<LiveLogFollowAck> {
    const target = await this.follows.target(socket.data.memberships ?? [], request.installationId);
    const followId = randomUUID();
    await socket.join(liveRooms.logFollow(target.agentId, followId));
    const start = { followId, component: request.component, tail: request.tail ?? DEFAULT_LOG_FOLLOW_TAIL, limits: this.settings };
    let responses: unknown[];
    try {
      responses = await this.agents.to(agentRoom(target.agentId)).timeout(AGENT_ACK_TIMEOUT_MS).emitWithAck('logs:follow', start);
    } catch {
      responses = [];
    }
    const acks = responses.flatMap((r) => {
      const parsed = CommandAck.safeParse(r);
      return parsed.success ? [parsed.data] : [];
    });
    const accepted = acks.some((a) => a.accepted);
    if (!accepted) {
      await socket.leave(liveRooms.logFollow(target.agentId, followId));
      if (responses.length === 0) throw new AppError('UNAVAILABLE', 'The agent is offline or did not answer');
      throw new AppError('CONFLICT', acks[0]?.reason ?? 'The agent refused to follow the logs');
    }
    // The client went away while the agent was starting: stop at once.
    if (socket.disconnected) {
      this.agents.to(agentRoom(target.agentId)).emit('logs:unfollow', { followId });
      throw new AppError('CONFLICT', 'The client disconnected');
    }
    mine.set(followId, target.agentId);
    this.log.debug({ followId, installationId: target.installationId, component: request.component }, 'log follow started');
    return { followId };
  }

  private unfollow(socket: LiveSocket, mine: Map<string, string>, followId: string): OkAck {
    const agentId = mine.get(followId);
    if (agentId === undefined) throw new AppError('NOT_FOUND', 'No such log follow on this connection');
    mine.delete(followId);
    void socket.leave(liveRooms.logFollow(agentId, followId));
    this.agents.to(agentRoom(agentId)).emit('logs:unfollow', { followId });
    return { ok: true };
  }
}

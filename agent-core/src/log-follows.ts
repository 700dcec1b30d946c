import { LogFollowStart, LogFollowStop, OkAck, summarizeIssues, type CommandAck, type DesiredComponent } from '@flotilla/protocol';
import type { AgentSocket } from './connection.js';
import type { Driver, DriverContext } from './driver.js';
import type { Logger } from './logger.js';
import { LogFollower } from './log-follower.js';

export interface LogFollowsOptions {
  driver: Driver;
  logger: Logger;
  /** The components the agent has applied (a follow names one of them). */
  components(): readonly DesiredComponent[];
  context(): DriverContext;
  ackTimeoutMs: number;
}

/**
 * The live log follows the hub asked this agent for. Each follow belongs to the socket it was asked
 * on: its chunks go there, and they all end when that socket disconnects (the hub's relay is gone).
 */
export class LogFollows {
  private readonly active = new Map<string, LogFollower>();

  constructor(private readonly opts: LogFollowsOptions) {}

  /** Registers the follow events on a new socket. */
  attach(socket: AgentSocket): void {
    socket.on('logs:follow', (payload: unknown, ack: unknown) => {
      const reply = (response: CommandAck) => {
        if (typeof ack === 'function') ack(response);
      };
      const parsed = LogFollowStart.safeParse(payload);
      if (!parsed.success) {
        this.opts.logger.warn({ event: 'logs:follow', issues: summarizeIssues(parsed.error.issues) }, 'ignoring invalid payload from hub');
        reply({ accepted: false, reason: 'invalid payload' });
        return;
      }
      this.start(parsed.data, socket).then(reply, (err: unknown) => reply({ accepted: false, reason: err instanceof Error ? err.message : String(err) }));
    });
    socket.on('logs:unfollow', (payload: unknown) => {
      const parsed = LogFollowStop.safeParse(payload);
      if (parsed.success) this.active.get(parsed.data.followId)?.stop('stopped by the hub');
    });
    socket.on('disconnect', () => this.stopAll('the connection to the hub was lost'));
  }

  stopAll(reason: string): void {
    for (const follower of this.active.values()) follower.stop(reason);
  }

  get size(): number {
    return this.active.size;
  }

  private async start(start: LogFollowStart, socket: AgentSocket): Promise<CommandAck> {
    const { driver, logger } = this.opts;
    if (!driver.followLogs) return { accepted: false, reason: `following logs is not supported by the ${driver.kind} agent; use "collect logs" instead` };
    const component = this.opts.components().find((c) => c.name === start.component);
    if (!component) return { accepted: false, reason: `component "${start.component}" is not deployed on this agent` };
    if (this.active.has(start.followId)) return { accepted: true };
    const source = await driver.followLogs(component, start.tail, this.opts.context());
    // The hub let go while the follow was starting (a socket dropped): nothing to send it to.
    if (!socket.connected) {
      source.stop();
      return { accepted: false, reason: 'the connection to the hub was lost' };
    }
    const follower = new LogFollower({
      start,
      source,
      send: async (chunk) => {
        if (!socket.connected) return false;
        try {
          return OkAck.safeParse(await socket.timeout(this.opts.ackTimeoutMs).emitWithAck('logs:stream', chunk)).success;
        } catch {
          return false;
        }
      },
      onEnded: (reason) => {
        this.active.delete(start.followId);
        logger.info({ followId: start.followId, component: start.component, reason }, 'log follow ended');
      },
    });
    this.active.set(start.followId, follower);
    logger.info({ followId: start.followId, component: start.component, tail: start.tail }, 'following logs');
    return { accepted: true };
  }
}

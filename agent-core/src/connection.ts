import { io, type Socket } from 'socket.io-client';
import { z } from 'zod';
import { HubRestarting, type AgentAuth, type AgentToHubEvents, type HubToAgentEvents } from '@flotilla/protocol';
import { Backoff, restartDelay, type BackoffOptions } from './backoff.js';
import type { Logger } from './logger.js';

export type AgentSocket = Socket<HubToAgentEvents, AgentToHubEvents>;

export interface ConnectionOptions {
  hubUrl: string;
  auth: AgentAuth;
  logger: Logger;
  backoff?: BackoffOptions;
  /** Registers the event handlers on a new socket (called once per socket, before it connects). */
  setup(socket: AgentSocket): void;
  /**
   * Runs after each successful connect (the hello). Resolving `true` marks the session established and
   * resets the backoff; rejecting or `false` drops the connection and retries with backoff.
   */
  onConnect(socket: AgentSocket): Promise<boolean>;
}

const ConnectErrorData = z.object({ code: z.string(), message: z.string().optional() }).loose();

/** `https://hub.example.com/base` → socket.io URL of the `/agent` namespace and the engine path. */
export function socketTarget(hubUrl: string): { url: string; path: string } {
  const url = new URL(hubUrl);
  const base = url.pathname.replace(/\/+$/, '');
  return { url: `${url.origin}/agent`, path: `${base}/socket.io` };
}

/**
 * Keeps one Socket.IO connection to the hub's `/agent` namespace. Socket.IO's own reconnection is
 * off: every failure (refused handshake, lost connection, failed hello) is retried here after an
 * exponential backoff with full jitter, so a restarted hub is not hit by all agents at once.
 */
export class HubConnection {
  private socket: AgentSocket | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly backoff: Backoff;
  private stopped = true;
  /** Set by the hub's `hub:restarting` notice: reconnect within this window, not with backoff, until `until`. */
  private restart: { withinMs: number; until: number } | undefined;

  constructor(private readonly opts: ConnectionOptions) {
    this.backoff = new Backoff(opts.backoff);
  }

  /** The socket when connected (and the hello done or in progress). */
  get connected(): AgentSocket | undefined {
    return this.socket?.connected === true ? this.socket : undefined;
  }

  /** Consecutive failed attempts since the last established session. */
  get failures(): number {
    return this.backoff.attempts;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.drop();
  }

  private connect(): void {
    this.timer = undefined;
    if (this.stopped) return;
    const { url, path } = socketTarget(this.opts.hubUrl);
    const socket: AgentSocket = io(url, {
      path,
      transports: ['websocket'],
      auth: this.opts.auth,
      reconnection: false,
      forceNew: true,
      timeout: 20_000,
    });
    this.socket = socket;
    this.opts.setup(socket);
    const log = this.opts.logger;

    socket.on('connect', () => {
      log.info({ hub: this.opts.hubUrl }, 'connected to hub');
      this.opts.onConnect(socket).then(
        (ok) => {
          if (ok) {
            this.backoff.reset();
            this.restart = undefined;
          } else this.retry(socket, 'hello refused');
        },
        (err: unknown) => {
          log.warn({ err: errorMessage(err) }, 'hello failed');
          this.retry(socket, 'hello failed');
        },
      );
    });
    socket.on('connect_error', (err) => {
      const data = ConnectErrorData.safeParse((err as Error & { data?: unknown }).data);
      if (data.success && data.data.code === 'UNAUTHORIZED') {
        log.error(
          { agentId: this.opts.auth.agentId, hub: this.opts.hubUrl },
          'hub rejected the agent credentials (UNAUTHORIZED): check FLOTILLA_AGENT_ID / FLOTILLA_AGENT_SECRET; retrying',
        );
      } else {
        log.warn({ err: err.message, code: data.success ? data.data.code : undefined }, 'cannot connect to hub');
      }
      this.retry(socket, 'connect_error');
    });
    socket.on('hub:restarting', (payload) => {
      const notice = HubRestarting.safeParse(payload);
      if (!notice.success) return;
      log.info({ reconnectWithinMs: notice.data.reconnectWithinMs }, 'hub is restarting');
      this.backoff.reset();
      this.restart = { withinMs: notice.data.reconnectWithinMs, until: Date.now() + RESTART_WINDOW_MS };
    });
    socket.on('disconnect', (reason) => {
      if (this.stopped) return;
      log.warn({ reason }, 'disconnected from hub');
      this.retry(socket, reason);
    });
  }

  /** Schedules the next attempt unless one is already scheduled or `socket` is no longer current. */
  private retry(socket: AgentSocket, reason: string): void {
    if (this.stopped || socket !== this.socket || this.timer !== undefined) return;
    this.drop();
    // After a hub's restart notice, attempts stay spread over its window (the hub is back in
    // seconds); otherwise, and once the window is over, the escalating backoff.
    if (this.restart && Date.now() >= this.restart.until) this.restart = undefined;
    const delay = this.restart ? restartDelay(this.restart.withinMs, this.opts.backoff) : this.backoff.next();
    this.opts.logger.info({ delayMs: delay, attempt: this.backoff.attempts, reason }, 'reconnecting to hub after backoff');
    this.timer = setTimeout(() => this.connect(), delay);
  }

  private drop(): void {
    const socket = this.socket;
    this.socket = undefined;
    if (socket === undefined) return;
    socket.removeAllListeners();
    socket.disconnect();
  }
}

/** How long after a restart notice the agent keeps retrying within the hub's window. */
export const RESTART_WINDOW_MS = 120_000;

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

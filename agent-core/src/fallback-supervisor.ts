import { initialFallback, nextFallback, type FallbackState, type LinkMode } from './fallback.js';
import type { Logger } from './logger.js';

export interface FallbackSupervisorOptions {
  /** Time without a websocket session before polling (0 = never). */
  pollAfterMs: number;
  /** True while a websocket session is established (hello acknowledged). */
  socketUp(): boolean;
  startPolling(): void;
  stopPolling(): void;
  logger: Logger;
  /** How often the websocket's state is looked at (default 1 s). */
  tickMs?: number;
  now?: () => number;
}

/**
 * Runs the fallback decision (fallback.ts) on a timer: starts the HTTP poller once the websocket has
 * been unavailable for `pollAfterMs` and stops it as soon as a websocket session is back. The
 * websocket keeps reconnecting in the background all along (HubConnection).
 */
export class FallbackSupervisor {
  private state: FallbackState;
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly opts: FallbackSupervisorOptions) {
    this.now = opts.now ?? Date.now;
    this.state = initialFallback(this.now());
  }

  get mode(): LinkMode {
    return this.state.mode;
  }

  start(): void {
    if (this.timer !== undefined || this.opts.pollAfterMs === 0) return;
    this.state = initialFallback(this.now());
    this.timer = setInterval(() => this.check(), this.opts.tickMs ?? 1000);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.state.mode === 'polling') this.opts.stopPolling();
    this.state = initialFallback(this.now());
  }

  /** Looks at the websocket now (called on every tick, and at once when a hello is acknowledged). */
  check(): void {
    if (this.timer === undefined) return;
    const { state, switched } = nextFallback(this.state, { now: this.now(), socketUp: this.opts.socketUp(), pollAfterMs: this.opts.pollAfterMs });
    this.state = state;
    if (switched === 'to-polling') {
      this.opts.logger.info({ withoutWebsocketMs: this.now() - state.downSince }, 'websocket unavailable; falling back to HTTP polling');
      this.opts.startPolling();
    } else if (switched === 'to-websocket') {
      this.opts.stopPolling();
      this.opts.logger.info('websocket session established; HTTP polling stopped');
    }
  }
}

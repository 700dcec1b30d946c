import type { AgentKind, AgentPollResponse, CommandProgress, StatusReport } from '@flotilla/protocol';
import { DEFAULT_POLL_AFTER_MS, DEFAULT_POLL_INTERVAL_MS, type AgentConfig } from './config.js';
import { FallbackSupervisor } from './fallback-supervisor.js';
import { HubHttpClient } from './hub-http.js';
import type { Logger } from './logger.js';
import { HubPoller } from './poller.js';

export interface PollingFallbackOptions {
  config: Pick<AgentConfig, 'hubUrl' | 'agentId' | 'secret' | 'pollIntervalMs' | 'pollAfterMs'>;
  kind: AgentKind;
  agentVersion: string;
  timeoutMs: number;
  logger: Logger;
  /** True while a websocket session is established. */
  socketUp(): boolean;
  onPoll(response: AgentPollResponse, first: boolean): Promise<void>;
}

/**
 * The agent's HTTP polling fallback in one piece: the HTTP client, the polling loop, and the
 * supervisor that starts it after `pollAfterMs` without a websocket session and stops it when one is back.
 */
export class PollingFallback {
  private readonly poller: HubPoller;
  private readonly supervisor: FallbackSupervisor;

  constructor(opts: PollingFallbackOptions) {
    const client = new HubHttpClient({ ...opts.config, agentVersion: opts.agentVersion, kind: opts.kind, timeoutMs: opts.timeoutMs });
    this.poller = new HubPoller({ client, intervalMs: opts.config.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS, logger: opts.logger, onPoll: opts.onPoll });
    this.supervisor = new FallbackSupervisor({
      pollAfterMs: opts.config.pollAfterMs ?? DEFAULT_POLL_AFTER_MS,
      socketUp: opts.socketUp,
      startPolling: () => this.poller.start(),
      stopPolling: () => this.poller.stop(),
      logger: opts.logger,
    });
  }

  /** Polling now (whether or not the hub answers). */
  get active(): boolean {
    return this.poller.running;
  }

  /** Polling, and the last poll reached the hub. */
  get healthy(): boolean {
    return this.poller.healthy;
  }

  start(): void {
    this.supervisor.start();
  }

  stop(): void {
    this.supervisor.stop();
  }

  /** Re-evaluates at once (a websocket session was just established: polling stops now). */
  check(): void {
    this.supervisor.check();
  }

  report(report: StatusReport): Promise<boolean> {
    return this.poller.report(report);
  }

  progress(progress: CommandProgress): Promise<boolean> {
    return this.poller.progress(progress);
  }
}

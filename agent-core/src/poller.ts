import type { AgentPollResponse, CommandProgress, StatusReport } from '@flotilla/protocol';
import type { HttpResult, HubHttpClient } from './hub-http.js';
import type { Logger } from './logger.js';
import { failureKey, nextPollDelayMs, type PollFailure } from './poll-policy.js';

export interface PollerOptions {
  client: HubHttpClient;
  intervalMs: number;
  logger: Logger;
  /**
   * Takes one poll's answer; `first` marks the first success since `start()` or since a failed poll
   * (the implied hello: the hub may have missed reports meanwhile). The next poll waits for it, so a
   * command is never handed over twice at once.
   */
  onPoll(response: AgentPollResponse, first: boolean): Promise<void>;
}

/**
 * The HTTP polling loop of the fallback: `GET /agent/state` every interval while started, answers
 * handed to `onPoll`, failures logged once per kind and retried at the pace poll-policy decides.
 * While started it also carries status reports and command progress.
 */
export class HubPoller {
  private timer: NodeJS.Timeout | undefined;
  private aborter: AbortController | undefined;
  private failures = 0;
  private lastLogged: string | undefined;
  private ok = false;

  constructor(private readonly opts: PollerOptions) {}

  get running(): boolean {
    return this.aborter !== undefined;
  }

  /** Running and the last poll reached the hub. */
  get healthy(): boolean {
    return this.running && this.ok;
  }

  start(): void {
    if (this.running) return;
    this.aborter = new AbortController();
    this.failures = 0;
    this.lastLogged = undefined;
    this.ok = false;
    void this.poll(this.aborter.signal);
  }

  /** Stops the loop and abandons requests in flight (their answers are dropped). */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.aborter?.abort();
    this.aborter = undefined;
    this.ok = false;
  }

  /** POSTs a status report; true once the hub stored it. False when not polling or the last poll failed. */
  report(report: StatusReport): Promise<boolean> {
    return this.send('status report', (client, signal) => client.report(report, signal));
  }

  /** POSTs command progress; true once the hub stored it (or refused it for good: resending would not help). */
  progress(progress: CommandProgress): Promise<boolean> {
    return this.send('command progress', (client, signal) => client.progress(progress, signal));
  }

  private async send(what: string, call: (client: HubHttpClient, signal: AbortSignal) => Promise<HttpResult<unknown>>): Promise<boolean> {
    const signal = this.aborter?.signal;
    // While polls fail, sends would fail too; the next good poll re-reports (see onPoll's `first`).
    if (signal === undefined || !this.ok) return false;
    const result = await call(this.opts.client, signal);
    if (result.ok) return true;
    const { failure } = result;
    if (signal.aborted) return false;
    this.opts.logger.warn({ kind: failure.kind, status: failure.status, error: failure.message }, `${what} not delivered over HTTP`);
    // A 4xx other than auth/rate limits is a refusal of this payload; only transient failures are worth another try.
    return failure.kind === 'http-error' && failure.status !== undefined && failure.status < 500;
  }

  private async poll(signal: AbortSignal): Promise<void> {
    const result = await this.opts.client.state(Math.round(this.opts.intervalMs / 1000), signal);
    if (signal.aborted) return;
    let failure: PollFailure | undefined;
    if (result.ok) {
      const first = !this.ok;
      this.recovered();
      try {
        await this.opts.onPoll(result.value, first);
      } catch (err) {
        this.opts.logger.error({ err }, 'could not take a poll answer');
      }
      if (signal.aborted) return;
    } else {
      failure = result.failure;
      this.failed(failure);
    }
    const delay = nextPollDelayMs(this.opts.intervalMs, failure, this.failures);
    this.timer = setTimeout(() => void this.poll(signal), delay);
  }

  private failed(failure: PollFailure): void {
    this.ok = false;
    this.failures += 1;
    const key = failureKey(failure);
    if (key === this.lastLogged) return;
    this.lastLogged = key;
    const log = this.opts.logger;
    if (failure.kind === 'unauthorized') {
      log.error({ status: failure.status, error: failure.message }, 'hub rejected the agent credentials over HTTP polling (401): check FLOTILLA_AGENT_ID / FLOTILLA_AGENT_SECRET; retrying slowly');
    } else {
      log.warn({ kind: failure.kind, status: failure.status, error: failure.message }, 'HTTP poll failed; retrying');
    }
  }

  private recovered(): void {
    if (this.lastLogged !== undefined) this.opts.logger.info({ failures: this.failures }, 'HTTP polling reaches the hub again');
    this.ok = true;
    this.failures = 0;
    this.lastLogged = undefined;
  }
}

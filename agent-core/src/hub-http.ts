import { z } from 'zod';
import { AGENT_HTTP, AgentPollResponse, ErrorBody, OkAck, summarizeIssues, type AgentKind, type CommandProgress, type StatusReport } from '@flotilla/protocol';
import { kindOfStatus, type PollFailure } from './poll-policy.js';

export interface HubHttpOptions {
  hubUrl: string;
  agentId: string;
  secret: string;
  agentVersion: string;
  kind: AgentKind;
  /** Per request (default 15 s). */
  timeoutMs?: number;
  /** Injected in tests; default the global fetch. */
  fetch?: typeof fetch;
}

export type HttpResult<T> = { ok: true; value: T } | { ok: false; failure: PollFailure };

/**
 * The agent's side of the hub's HTTP polling routes (`AGENT_HTTP`): Basic credentials and the agent
 * headers on every request, answers validated with the protocol schemas, every failure (network,
 * timeout, status, body) returned as a `PollFailure`, never thrown.
 */
export class HubHttpClient {
  private readonly authorization: string;
  private readonly fetch: typeof fetch;

  constructor(private readonly opts: HubHttpOptions) {
    this.authorization = `Basic ${Buffer.from(`${opts.agentId}:${opts.secret}`).toString('base64')}`;
    this.fetch = opts.fetch ?? globalThis.fetch;
  }

  /** `GET /agent/state`: the desired state and the pending commands; also keeps the polling session open. */
  state(pollIntervalSeconds: number, signal: AbortSignal): Promise<HttpResult<AgentPollResponse>> {
    return this.request('GET', AGENT_HTTP.state, undefined, AgentPollResponse, signal, { [AGENT_HTTP.headers.pollInterval]: String(pollIntervalSeconds) });
  }

  report(report: StatusReport, signal: AbortSignal): Promise<HttpResult<OkAck>> {
    return this.request('POST', AGENT_HTTP.status, report, OkAck, signal);
  }

  progress(progress: CommandProgress, signal: AbortSignal): Promise<HttpResult<OkAck>> {
    return this.request('POST', AGENT_HTTP.progress, progress, OkAck, signal);
  }

  private async request<T>(method: 'GET' | 'POST', path: string, body: unknown, schema: z.ZodType<T>, signal: AbortSignal, extra: Record<string, string> = {}): Promise<HttpResult<T>> {
    const timeout = AbortSignal.timeout(this.opts.timeoutMs ?? 15_000);
    let res: Response;
    try {
      res = await this.fetch(`${this.opts.hubUrl}${path}`, {
        method,
        headers: {
          authorization: this.authorization,
          accept: 'application/json',
          [AGENT_HTTP.headers.agentVersion]: this.opts.agentVersion,
          [AGENT_HTTP.headers.kind]: this.opts.kind,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...extra,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.any([signal, timeout]),
        redirect: 'error',
      });
    } catch (err) {
      if (timeout.aborted) return fail({ kind: 'timeout', message: `no answer within ${this.opts.timeoutMs ?? 15_000} ms` });
      return fail({ kind: 'network', message: causeOf(err) });
    }
    const json = await res.json().catch(() => undefined);
    if (!res.ok) {
      const error = ErrorBody.safeParse(json);
      const message = error.success ? `${error.data.error.code}: ${error.data.error.message}` : `HTTP ${res.status} ${res.statusText}`;
      const retryAfter = Number(res.headers.get('retry-after'));
      return fail({ kind: kindOfStatus(res.status), status: res.status, message, ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterMs: retryAfter * 1000 } : {}) });
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) return fail({ kind: 'invalid-response', status: res.status, message: json === undefined ? 'the answer is not JSON' : summarizeIssues(parsed.error.issues) });
    return { ok: true, value: parsed.data };
  }
}

function fail(failure: PollFailure): { ok: false; failure: PollFailure } {
  return { ok: false, failure };
}

/** fetch hides the reason (ECONNREFUSED, DNS…) in `cause`. */
function causeOf(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? err.cause.message : undefined;
  return cause === undefined ? err.message : `${err.message}: ${cause}`;
}

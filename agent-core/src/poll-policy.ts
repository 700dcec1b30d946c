import type { Command } from '@flotilla/protocol';

/** Pure decisions of the HTTP polling loop: how to name a failure, how long to wait, what to log. */

export type PollErrorKind = 'network' | 'timeout' | 'unauthorized' | 'rate-limited' | 'http-error' | 'invalid-response';

export interface PollFailure {
  kind: PollErrorKind;
  message: string;
  /** HTTP status, when the hub answered. */
  status?: number;
  /** The hub's `Retry-After`, ms. */
  retryAfterMs?: number;
}

/** Wrong credentials are not fixed by hammering the hub: retried at this pace. */
export const SLOW_POLL_MS = 60_000;
/** Transient failures double the wait from the interval up to this (or the interval, if longer). */
export const MAX_ERROR_DELAY_MS = 30_000;

/** The failure kind of a non-2xx answer. */
export function kindOfStatus(status: number): PollErrorKind {
  if (status === 401) return 'unauthorized';
  if (status === 429) return 'rate-limited';
  return 'http-error';
}

/**
 * The wait before the next poll. Never shorter than the interval, so a failing hub is never spun
 * on; `failures` counts consecutive failed polls including this one (0 after a success).
 */
export function nextPollDelayMs(intervalMs: number, failure: PollFailure | undefined, failures: number): number {
  if (failure === undefined) return intervalMs;
  switch (failure.kind) {
    case 'unauthorized':
      return Math.max(intervalMs, SLOW_POLL_MS);
    case 'rate-limited':
      return Math.max(intervalMs, failure.retryAfterMs ?? SLOW_POLL_MS);
    default:
      return Math.min(Math.max(intervalMs, MAX_ERROR_DELAY_MS), intervalMs * 2 ** Math.max(0, failures - 1));
  }
}

/** Logs once per kind of failure: a failure is logged when it differs from the one logged last. */
export function failureKey(failure: PollFailure): string {
  return failure.status === undefined ? failure.kind : `${failure.kind}:${failure.status}`;
}

/**
 * Why a command cannot run while the agent polls, or undefined. There is no HTTP route for log
 * chunks, so collect-logs is refused with a reason rather than run with nowhere to send the lines.
 */
export function pollingRefusal(command: Command): string | undefined {
  if (command.type === 'collect-logs') return 'collect-logs needs the websocket connection; the agent is on the HTTP polling fallback (retry once it is back on the websocket)';
  return undefined;
}

/** Exponential backoff with full jitter (AWS architecture blog): delay = random(0, min(cap, base · 2^attempt)). */
export interface BackoffOptions {
  /** First window, ms (default 1 s). */
  baseMs?: number;
  /** Largest window, ms (default 60 s). */
  maxMs?: number;
  /** Uniform random in [0, 1); injected in tests. */
  random?: () => number;
}

export const DEFAULT_BACKOFF = { baseMs: 1000, maxMs: 60_000 } as const;

/** The upper bound of the delay before retry number `attempt` (0-based). */
export function backoffCeiling(attempt: number, options: BackoffOptions = {}): number {
  const base = options.baseMs ?? DEFAULT_BACKOFF.baseMs;
  const max = options.maxMs ?? DEFAULT_BACKOFF.maxMs;
  // 2^attempt overflows to Infinity for huge attempts, which min() handles.
  return Math.min(max, base * 2 ** Math.max(0, attempt));
}

/** A delay in [0, ceiling(attempt)), full jitter. Pure when `random` is given. */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const random = options.random ?? Math.random;
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.floor(r * backoffCeiling(attempt, options));
}

/**
 * The delay before a reconnect after the hub announced a restart: random within the hub's window
 * (at least the base delay), so the fleet arrives spread out instead of all at once.
 */
export function restartDelay(withinMs: number, options: BackoffOptions = {}): number {
  const random = options.random ?? Math.random;
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.floor(r * Math.max(withinMs, options.baseMs ?? DEFAULT_BACKOFF.baseMs));
}

/** Counts consecutive failures; `next()` gives the next delay, `reset()` after a success. */
export class Backoff {
  private attempt = 0;

  constructor(private readonly options: BackoffOptions = {}) {}

  get attempts(): number {
    return this.attempt;
  }

  next(): number {
    const delay = backoffDelay(this.attempt, this.options);
    this.attempt += 1;
    return delay;
  }

  reset(): void {
    this.attempt = 0;
  }
}

import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Redis } from 'ioredis';

export interface RateLimitRule {
  /** Distinguishes limiters sharing one store, e.g. "login-ip". */
  name: string;
  points: number;
  durationSeconds: number;
  /** Once exhausted, refuse for this long (defaults to the rest of the window). */
  blockSeconds?: number;
}

export class RateLimitedError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super(`rate limited for ${retryAfterSeconds}s`);
  }
}

/**
 * A limit that counts before it checks: `hit` atomically adds the attempt and refuses it when the key
 * is over its limit, so concurrent attempts cannot all pass a check made before any was counted.
 * An attempt that turned out legitimate gives its point back with `refund` (never a reset: a
 * success must not wipe the failures counted beside it).
 */
export interface RateLimiter {
  /** Counts one attempt for `key`; throws RateLimitedError when the key is over its limit. */
  hit(key: string, points?: number): Promise<void>;
  /** Gives back points of attempts that were legitimate (a correct credential), so only failures accumulate. */
  refund(key: string, points?: number): Promise<void>;
}

export type RateLimiterFactory = (rule: RateLimitRule) => RateLimiter;

function wrap(limiter: RateLimiterAbstract): RateLimiter {
  const toError = (err: unknown): never => {
    if (err instanceof RateLimiterRes) throw new RateLimitedError(Math.max(1, Math.ceil(err.msBeforeNext / 1000)));
    throw err;
  };
  return {
    async hit(key, n = 1) {
      await limiter.consume(key, n).catch(toError);
    },
    async refund(key, n = 1) {
      await limiter.reward(key, n);
    },
  };
}

/** Memory store: one process (embedded mode). Counts are per process and lost on restart. */
export function memoryRateLimiters(): RateLimiterFactory {
  return (rule) =>
    wrap(new RateLimiterMemory({ keyPrefix: rule.name, points: rule.points, duration: rule.durationSeconds, blockDuration: rule.blockSeconds ?? 0 }));
}

/** Redis store: limits hold across every hub process. */
export function redisRateLimiters(redis: Redis, prefix: string): RateLimiterFactory {
  return (rule) =>
    wrap(
      new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: `${prefix}:rl:${rule.name}`,
        points: rule.points,
        duration: rule.durationSeconds,
        blockDuration: rule.blockSeconds ?? 0,
        useRedisPackage: false,
      }),
    );
}

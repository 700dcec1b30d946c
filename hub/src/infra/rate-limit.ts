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

export interface RateLimiter {
  /** Counts one hit for `key`; throws RateLimitedError when the key is over its limit. */
  hit(key: string, points?: number): Promise<void>;
  /** Throws RateLimitedError if `key` is currently over its limit, without counting a hit. */
  check(key: string): Promise<void>;
  reset(key: string): Promise<void>;
}

export type RateLimiterFactory = (rule: RateLimitRule) => RateLimiter;

function wrap(limiter: RateLimiterAbstract, points: number): RateLimiter {
  const toError = (err: unknown): never => {
    if (err instanceof RateLimiterRes) throw new RateLimitedError(Math.max(1, Math.ceil(err.msBeforeNext / 1000)));
    throw err;
  };
  return {
    async hit(key, n = 1) {
      await limiter.consume(key, n).catch(toError);
    },
    async check(key) {
      const res = await limiter.get(key);
      if (res && res.consumedPoints > points) throw new RateLimitedError(Math.max(1, Math.ceil(res.msBeforeNext / 1000)));
    },
    async reset(key) {
      await limiter.delete(key);
    },
  };
}

/** Memory store: one process (embedded mode). Counts are per process and lost on restart. */
export function memoryRateLimiters(): RateLimiterFactory {
  return (rule) =>
    wrap(new RateLimiterMemory({ keyPrefix: rule.name, points: rule.points, duration: rule.durationSeconds, blockDuration: rule.blockSeconds ?? 0 }), rule.points);
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
      rule.points,
    );
}

import { AppError } from '../../errors.js';
import { RateLimitedError, type RateLimiter } from '../../infra/index.js';

/**
 * Counts one attempt on `limiter` before the caller checks anything, and turns a refusal into the
 * catalogue's RATE_LIMITED, e.g. "Too many failed sign-in attempts; try again in 840 s".
 */
export async function spend(limiter: RateLimiter, key: string, tooMany: string): Promise<void> {
  try {
    await limiter.hit(key);
  } catch (err) {
    if (err instanceof RateLimitedError) throw new AppError('RATE_LIMITED', `${tooMany}; try again in ${err.retryAfterSeconds} s`, { retryAfterSeconds: err.retryAfterSeconds });
    throw err;
  }
}

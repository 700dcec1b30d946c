import type { AppError } from '../errors.js';

/** Socket.IO middleware errors carry the catalogue code in `data`, read by clients as `err.data.code`. */
export function socketError(err: AppError): Error & { data: { code: string; retryAfterSeconds?: number } } {
  const retry = err.details?.retryAfterSeconds;
  return Object.assign(new Error(err.message), { data: { code: err.code, ...(typeof retry === 'number' ? { retryAfterSeconds: retry } : {}) } });
}

import { statusOf, type ErrorBody, type ErrorCode } from '@flotilla/protocol';

/** The only error type handlers and services throw on purpose; its message is safe to send. */
export class AppError extends Error {
  override name = 'AppError';
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.status = statusOf(code);
  }

  static notFound(what: string): AppError {
    return new AppError('NOT_FOUND', `${what} not found`);
  }
}

/**
 * Maps anything thrown to the wire shape. Unknown errors become INTERNAL with a fixed message:
 * their text may hold SQL or secrets, so the caller logs it and never sends it.
 */
export function toErrorBody(err: unknown): { status: number; body: ErrorBody; internal: boolean } {
  if (err instanceof AppError) {
    const error: ErrorBody['error'] = { code: err.code, message: err.message };
    if (err.details) error.details = err.details;
    return { status: err.status, body: { error }, internal: false };
  }
  const http = httpErrorOf(err);
  if (http) return { status: http.status, body: { error: { code: http.code, message: http.message } }, internal: false };
  return { status: 500, body: { error: { code: 'INTERNAL', message: 'Internal error' } }, internal: true };
}

/** Koa/body-parser errors (bad JSON, body too large) carry an `expose`d status; map them to the catalogue. */
function httpErrorOf(err: unknown): { status: number; code: ErrorCode; message: string } | undefined {
  if (typeof err !== 'object' || err === null || !('status' in err) || !('expose' in err)) return undefined;
  const { status, expose, message } = err as { status: unknown; expose: unknown; message: unknown };
  if (typeof status !== 'number' || expose !== true || typeof message !== 'string') return undefined;
  const code: ErrorCode | undefined =
    status === 400 ? 'VALIDATION_FAILED'
    : status === 401 ? 'UNAUTHORIZED'
    : status === 403 ? 'FORBIDDEN'
    : status === 404 ? 'NOT_FOUND'
    : status === 405 ? 'METHOD_NOT_ALLOWED'
    : status === 413 ? 'PAYLOAD_TOO_LARGE'
    : status === 415 ? 'UNSUPPORTED_MEDIA_TYPE'
    : status === 429 ? 'RATE_LIMITED'
    : status === 501 ? 'NOT_IMPLEMENTED'
    : undefined;
  return code ? { status, code, message } : undefined;
}

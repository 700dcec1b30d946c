import { ErrorBody } from '@flotilla/protocol';

/** An error answered by the hub (or a network failure), with the hub's catalogue code. */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: string, message: string, status: number, details?: Record<string, unknown>) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
    this.details = details;
  }
}

/** Code used when the hub could not be reached at all (status 0). */
export const NETWORK_ERROR = 'NETWORK_ERROR';

/**
 * Turns a non-2xx answer into an ApiError. The hub answers `{error:{code,message}}`; anything else
 * (a proxy's HTML page, an empty body) still yields a useful error carrying the HTTP status.
 */
export function toApiError(status: number, statusText: string, body: unknown): ApiError {
  const parsed = ErrorBody.safeParse(body);
  if (parsed.success) {
    const { code, message, details } = parsed.data.error;
    return new ApiError(code, message, status, details);
  }
  return new ApiError(fallbackCode(status), statusText || `Request failed with status ${status}`, status);
}

function fallbackCode(status: number): string {
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 429) return 'RATE_LIMITED';
  if (status >= 500) return 'INTERNAL';
  return 'HTTP_ERROR';
}

export function networkError(cause: unknown): ApiError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new ApiError(NETWORK_ERROR, `Cannot reach the server (${reason})`, 0);
}

/** A message fit for the UI, whatever was thrown. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return 'Something went wrong';
}

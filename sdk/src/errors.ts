import { ErrorBody, type ErrorCode } from '@flotilla/protocol';

/** Who may call a refused route, as the hub says in a FORBIDDEN answer's details. */
export interface RequiredRole {
  vendorRole?: string;
  customerRole?: string | null;
}

/**
 * An error answer of the hub, or no answer at all. `code` is the error catalogue's (the same on
 * REST and sockets), so callers branch on it, never on the message.
 */
export class FlotillaError extends Error {
  override readonly name = 'FlotillaError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    /** The HTTP status; 0 when the hub could not be reached. */
    readonly status: number,
    readonly details: Record<string, unknown> | undefined,
    /** The route called, e.g. `POST /rollouts`. */
    readonly route: string,
  ) {
    super(message);
  }

  /** For FORBIDDEN: the roles (= API token scopes) the route needs. */
  get requiredRole(): RequiredRole | undefined {
    const required = this.details?.required;
    return typeof required === 'object' && required !== null ? (required as RequiredRole) : undefined;
  }

  /** For RATE_LIMITED: how long the hub asks to wait. */
  get retryAfterSeconds(): number | undefined {
    const s = this.details?.retryAfterSeconds;
    return typeof s === 'number' ? s : undefined;
  }
}

/**
 * The typed error for a non-2xx answer; a body outside the catalogue (a proxy's page) still gets a
 * code from its status, and a message from its text (an HTML page's markup is not a message: its
 * status line is).
 */
export function errorFromResponse(route: string, status: number, payload: unknown, statusText = ''): FlotillaError {
  const parsed = ErrorBody.safeParse(payload);
  if (parsed.success) return new FlotillaError(parsed.data.error.code, parsed.data.error.message, status, parsed.data.error.details, route);
  const plain = typeof payload === 'string' && payload.trim().length > 0 && !payload.trimStart().startsWith('<');
  const text = plain ? payload.slice(0, 200) : `HTTP ${status}${statusText ? ` ${statusText}` : ''}`;
  return new FlotillaError(codeOfStatus(status), `${route}: ${text}`, status, undefined, route);
}

function codeOfStatus(status: number): ErrorCode {
  const byStatus: Record<number, ErrorCode> = { 400: 'VALIDATION_FAILED', 401: 'UNAUTHORIZED', 403: 'FORBIDDEN', 404: 'NOT_FOUND', 405: 'METHOD_NOT_ALLOWED', 409: 'CONFLICT', 413: 'PAYLOAD_TOO_LARGE', 415: 'UNSUPPORTED_MEDIA_TYPE', 429: 'RATE_LIMITED', 501: 'NOT_IMPLEMENTED', 503: 'UNAVAILABLE' };
  return byStatus[status] ?? 'INTERNAL';
}

import { z } from 'zod';

/**
 * The one error catalogue: every error the hub sends, on REST and on sockets, carries one of these
 * codes. The HTTP status belongs to the code, so a client can rely on either.
 */
export const ERROR_STATUS = {
  VALIDATION_FAILED: 400,
  INVALID_PAYLOAD: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  /** The path exists, not with this method (the Allow header lists those it has). */
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  /** Kept for clients; no longer sent: a deploy past a required release now steps through it (a one-installation rollout). */
  REQUIRED_RELEASE_FIRST: 409,
  /** A deploy or rollout would take an installation back past a required release it already runs. */
  BELOW_REQUIRED_RELEASE: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  /** The request line or headers are past Node's limit (16 KB): refused before any route sees it. */
  HEADERS_TOO_LARGE: 431,
  INTERNAL: 500,
  /** An HTTP method the hub does not implement at all (e.g. PROPFIND). */
  NOT_IMPLEMENTED: 501,
  UNAVAILABLE: 503,
} as const;

export const ErrorCode = z.enum(Object.keys(ERROR_STATUS) as [keyof typeof ERROR_STATUS, ...(keyof typeof ERROR_STATUS)[]]);
export type ErrorCode = z.infer<typeof ErrorCode>;

/** One problem with one field of a request, as reported in `details.issues`. */
export const ValidationIssue = z.object({
  path: z.string(),
  message: z.string(),
  /** For a problem inside a text document (a compose file, a values YAML): its 1-based line and column. */
  line: z.number().int().min(1).optional(),
  column: z.number().int().min(1).optional(),
});
export type ValidationIssue = z.infer<typeof ValidationIssue>;

export const ErrorBody = z.object({
  error: z.object({
    code: ErrorCode,
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

export function statusOf(code: ErrorCode): number {
  return ERROR_STATUS[code];
}

/** Turns zod issues into stable, human-readable `{path, message}` pairs. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): ValidationIssue[] {
  return issues.map((issue) => ({
    path: issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)',
    message: issue.message,
  }));
}

/** "name: Required; stages.0: Too small" — a one-line summary for error messages. */
export function summarizeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return describeIssues(issues)
    .map((i) => `${i.path}: ${i.message}`)
    .join('; ');
}

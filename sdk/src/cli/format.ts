import { FlotillaError } from '../errors.js';
import { CliError, EXIT } from './cli-error.js';

/** Pure text formatting of the CLI's answers: tables, key/value blocks and errors. */

export type Row = Record<string, string | number | boolean | null | undefined>;

/** A plain table: a header, columns padded to their widest cell, no trailing spaces. */
export function formatTable(rows: readonly Row[], columns: readonly string[]): string {
  if (rows.length === 0) return '(none)';
  const cells = [columns.map((c) => c.toUpperCase()), ...rows.map((r) => columns.map((c) => cell(r[c])))];
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => (line[i] ?? '').length)));
  return cells.map((line) => line.map((v, i) => (i === line.length - 1 ? v : v.padEnd(widths[i] ?? 0))).join('  ').trimEnd()).join('\n');
}

/** `key: value` lines, keys aligned. */
export function formatFields(fields: Row): string {
  const keys = Object.keys(fields);
  const width = Math.max(...keys.map((k) => k.length));
  return keys.map((k) => `${`${k}:`.padEnd(width + 2)}${cell(fields[k])}`).join('\n');
}

function cell(v: Row[string]): string {
  if (v === null || v === undefined || v === '') return '-';
  return String(v);
}

/** The scope (API token role) a refused route needs, from a FORBIDDEN answer's `details.required`. */
export function requiredScope(err: FlotillaError): string | undefined {
  const required = err.requiredRole;
  if (!required) return undefined;
  const parts: string[] = [];
  if (required.vendorRole) parts.push(`scope "${required.vendorRole}" or higher for vendor tokens`);
  if (required.customerRole) parts.push(`"${required.customerRole}" for customer tokens`);
  return parts.length > 0 ? parts.join(', ') : undefined;
}

/** One error as the CLI prints it, and the exit code it ends with. */
export function describeError(err: unknown): { message: string; exitCode: number } {
  if (err instanceof CliError) return { message: err.message, exitCode: err.exitCode };
  if (err instanceof FlotillaError) {
    const lines = [`${err.code}: ${err.message}`];
    if (err.code === 'FORBIDDEN') {
      const scope = requiredScope(err);
      lines.push(
        scope
          ? `This command needs an API token with ${scope} (scopes: viewer = read-only < release-manager < admin). Create one in Settings → API tokens or with \`flotilla login --scope ${err.requiredRole?.vendorRole ?? 'admin'}\`.`
          : 'Your token or role may not do this.',
      );
    } else if (err.code === 'UNAUTHORIZED') {
      lines.push('Set FLOTILLA_TOKEN (and FLOTILLA_URL), or run `flotilla login`.');
    } else if (err.code === 'VALIDATION_FAILED' && err.details) {
      lines.push(...validationIssues(err.details));
    } else if (err.code === 'RATE_LIMITED' && err.retryAfterSeconds !== undefined) {
      lines.push(`Retry in ${err.retryAfterSeconds} s.`);
    }
    return { message: lines.join('\n'), exitCode: EXIT.failed };
  }
  return { message: err instanceof Error ? err.message : String(err), exitCode: EXIT.failed };
}

/** `details.issues` of a refused body (zod's, or a compose file's with line and column). */
function validationIssues(details: Record<string, unknown>): string[] {
  const issues = Array.isArray(details.issues) ? details.issues : [];
  return issues.slice(0, 20).map((raw) => {
    const issue = (typeof raw === 'object' && raw !== null ? raw : {}) as { path?: unknown; message?: unknown; line?: unknown; column?: unknown };
    const where = Array.isArray(issue.path) ? issue.path.join('.') : typeof issue.path === 'string' ? issue.path : '';
    const at = typeof issue.line === 'number' ? ` (line ${issue.line}${typeof issue.column === 'number' ? `, column ${issue.column}` : ''})` : '';
    return `  - ${where ? `${where}: ` : ''}${String(issue.message ?? '')}${at}`;
  });
}

/**
 * Bulk statements pass their rows as one typed array per column through `unnest`, so PostgreSQL
 * knows how many rows come (a JSON document's `jsonb_to_recordset` is always guessed at 100, and
 * a wrong guess can become a nested loop that rescans one side per row).
 */

/** A value as PostgreSQL reads it in an array of its column's type (JSON text for jsonb: node-pg would send a nested JS array as a dimension). */
export function asArrayElement(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** `unnest(?::t1[], ?::t2[], …) AS alias(c1, c2, …)` for `columns`, typed by `types`. */
export function unnestOf<C extends string>(alias: string, types: Record<C, string>, columns: readonly C[]): string {
  return `unnest(${columns.map((c) => `?::${types[c]}[]`).join(', ')}) AS ${alias}(${columns.join(', ')})`;
}

/** The arrays `unnestOf` binds: one per column, in the columns' order. */
export function columnArrays<C extends string>(rows: readonly Record<C, unknown>[], columns: readonly C[]): (string | null)[][] {
  return columns.map((c) => rows.map((row) => asArrayElement(row[c])));
}

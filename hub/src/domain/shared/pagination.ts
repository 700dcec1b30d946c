import type { Knex } from 'knex';
import { encodePageCursor, type PageKey } from '@flotilla/protocol';

export interface PageRequest {
  limit: number;
  /** Where the previous page ended: `PageQuery` decoded and checked it. */
  cursor?: PageKey | undefined;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** The column carrying each row's `created_at` to the microsecond, as text (a Date would cut it to the millisecond). */
const KEY_AT = 'page_key_at';

/**
 * Keyset pagination over (created_at, id), oldest first (or newest first): stable while rows are
 * added, and one index scan per page however deep the page is. `query` must select its columns.
 */
export async function paginate<Row extends { id: string }, T>(
  query: Knex.QueryBuilder,
  page: PageRequest,
  map: (row: Row) => T,
  table: string,
  order: 'asc' | 'desc' = 'asc',
): Promise<Page<T>> {
  const q = query.clone().select(query.client.raw(`to_char(??.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS ${KEY_AT}`, [table]));
  if (page.cursor) {
    q.whereRaw(`(??.created_at, ??.id) ${order === 'asc' ? '>' : '<'} (?::timestamptz, ?::uuid)`, [table, table, page.cursor.createdAt, page.cursor.id]);
  }
  const rows: (Row & { [KEY_AT]: string })[] = await q.orderBy([{ column: `${table}.created_at`, order }, { column: `${table}.id`, order }]).limit(page.limit + 1);
  const items = rows.slice(0, page.limit);
  const last = items.at(-1);
  const nextCursor = rows.length > page.limit && last ? encodePageCursor({ createdAt: last[KEY_AT], id: last.id }) : null;
  return { items: items.map(map), nextCursor };
}

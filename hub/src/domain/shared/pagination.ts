import type { Knex } from 'knex';
import { AppError } from '../../errors.js';

export interface PageRequest {
  limit: number;
  cursor?: string | undefined;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

interface Keyset {
  createdAt: string;
  id: string;
}

function decode(cursor: string): Keyset {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && typeof parsed[0] === 'string' && typeof parsed[1] === 'string') return { createdAt: parsed[0], id: parsed[1] };
  } catch {
    // fall through
  }
  throw new AppError('VALIDATION_FAILED', 'Invalid cursor: pass back the nextCursor of the previous page');
}

/**
 * Keyset pagination over (created_at, id), oldest first: stable while rows are added, and one index
 * scan per page however deep the page is.
 */
export async function paginate<Row extends { created_at: Date; id: string }, T>(
  query: Knex.QueryBuilder,
  page: PageRequest,
  map: (row: Row) => T,
  table: string,
): Promise<Page<T>> {
  const q = query.clone();
  if (page.cursor) {
    const k = decode(page.cursor);
    q.whereRaw(`(${table}.created_at, ${table}.id) > (?::timestamptz, ?::uuid)`, [k.createdAt, k.id]);
  }
  const rows: Row[] = await q.orderBy([{ column: `${table}.created_at` }, { column: `${table}.id` }]).limit(page.limit + 1);
  const more = rows.length > page.limit;
  const items = rows.slice(0, page.limit);
  const last = items.at(-1);
  const nextCursor = more && last ? Buffer.from(JSON.stringify([last.created_at.toISOString(), last.id])).toString('base64url') : null;
  return { items: items.map(map), nextCursor };
}

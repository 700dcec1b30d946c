import type { Knex } from 'knex';
import type { Database } from '../../infra/index.js';
import { mapSourceRow, SOURCE_FILTERS, type MappedEvent, type SourceRow } from './event-mapping.js';

export type Source = keyof typeof SOURCE_FILTERS;
const SOURCES = Object.keys(SOURCE_FILTERS) as Source[];

/** Records what events cause inside the outbox's transaction; returns what to do once it committed (queue jobs). */
export type EventDispatch = (trx: Knex.Transaction, events: MappedEvent[]) => Promise<() => Promise<void>>;

/**
 * The outbox's consumers, each event once to both: e-mail notifications and webhook deliveries are
 * written in the transaction that moves the cursor; webhook jobs are queued after it commits.
 */
export function toNotificationsAndWebhooks(
  notifications: { enqueue(trx: Knex.Transaction, events: readonly MappedEvent[]): Promise<unknown> },
  webhooks: { dispatch: EventDispatch },
): EventDispatch {
  return async (trx, events) => {
    await notifications.enqueue(trx, events);
    return webhooks.dispatch(trx, events);
  };
}

/**
 * Reads the domain's happenings in commit order from the tables that record them, and hands the
 * events they mean to `dispatch` in the same transaction as the cursor moves (an event is
 * dispatched once, or again after a crash before commit: at least once, never lost).
 *
 * Why transaction ids and not just row ids: a row id is taken when a transaction inserts, but the
 * row appears when it commits; reading "id > last" would skip a row whose transaction commits after
 * a later one's. Every source row carries the xid that wrote it, and only transactions older than
 * the oldest one still running are read: those are all finished, and no later transaction can
 * have a smaller xid. A transaction left open for long delays events (never loses them).
 */
export class EventOutbox {
  constructor(
    private readonly db: Database,
    private readonly dispatch: EventDispatch,
    private readonly batch = 2000,
  ) {}

  /** One pass over every source; `more` when a source had a full batch (run again at once). */
  async run(): Promise<{ events: number; more: boolean }> {
    let events = 0;
    let more = false;
    for (const source of SOURCES) {
      const r = await this.runSource(source);
      events += r.events;
      more ||= r.more;
    }
    return { events, more };
  }

  private async runSource(source: Source): Promise<{ events: number; more: boolean }> {
    const { afterCommit, ...result } = await this.db.transaction(async (trx) => {
      // Another hub process reading this source right now: it will see these rows.
      const cursor = (await trx('event_outbox_cursors').where({ source }).forUpdate().skipLocked().first(trx.raw('xid::text AS xid'), trx.raw('id::text AS id'))) as { xid: string; id: string } | undefined;
      if (!cursor) return { events: 0, more: false, afterCommit: undefined };
      const { rows: [snap] } = (await trx.raw('SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin')) as { rows: { xmin: string }[] };
      const xmin = snap?.xmin ?? '0';
      const rows = await this.read(trx, source, cursor, xmin);
      const lastRead = rows.at(-1);
      let next: { xid: string; id: string } | undefined = lastRead ? { xid: lastRead.xid, id: lastRead.id } : undefined;
      const full = rows.length >= this.batch;
      if (!full) {
        // Past rows that mean nothing (most of them): the newest finished row, so they are not read again.
        const last = (await newestFinishedRow(trx, source, xmin)) as { xid: string; id: string } | undefined;
        if (last && after(last, cursor)) next = last;
      }
      const events = rows.flatMap((r) => mapSourceRow(r.row) ?? []);
      const afterCommit = events.length > 0 ? await this.dispatch(trx, events) : undefined;
      if (next && after(next, cursor)) await trx('event_outbox_cursors').where({ source }).update({ xid: trx.raw('?::xid8', [next.xid]), id: next.id });
      return { events: events.length, more: full, afterCommit };
    });
    await afterCommit?.();
    return result;
  }

  private async read(trx: Knex.Transaction, source: Source, cursor: { xid: string; id: string }, xmin: string): Promise<{ xid: string; id: string; row: SourceRow }[]> {
    const window = (alias: string) => (q: Knex.QueryBuilder) =>
      q
        .whereRaw(`(${alias}.xid, ${alias}.id) > (?::xid8, ?)`, [cursor.xid, cursor.id])
        .where(`${alias}.xid`, '<', trx.raw('?::xid8', [xmin]))
        .whereIn(`${alias}.${source === 'audit_log' ? 'action' : 'type'}`, [...SOURCE_FILTERS[source]])
        .orderBy([{ column: `${alias}.xid` }, { column: `${alias}.id` }])
        .limit(this.batch);
    if (source === 'installation_events') {
      const rows: { xid: string; id: string; at: Date; vendor_id: string; customer_id: string | null; installation_id: string; type: string; health: string | null; message: string | null; data: Record<string, unknown> | null }[] = await trx('installation_events as e')
        .leftJoin('installations as i', 'i.id', 'e.installation_id')
        .modify(window('e'))
        .select(trx.raw('e.xid::text AS xid'), 'e.id', 'e.at', 'e.vendor_id', 'i.customer_id', 'e.installation_id', 'e.type', 'e.health', 'e.message', 'e.data');
      return rows.map((r) => ({ xid: r.xid, id: String(r.id), row: { source, id: String(r.id), at: r.at, vendorId: r.vendor_id, customerId: r.customer_id, installationId: r.installation_id, type: r.type, health: r.health, message: r.message, data: r.data } }));
    }
    if (source === 'rollout_events') {
      const rows: { xid: string; id: string; at: Date; vendor_id: string; customer_id: string | null; rollout_id: string; release_id: string; installation_id: string | null; type: string; message: string | null }[] = await trx('rollout_events as e')
        .join('rollouts as o', 'o.id', 'e.rollout_id')
        .leftJoin('installations as i', 'i.id', 'e.installation_id')
        .modify(window('e'))
        .select(trx.raw('e.xid::text AS xid'), 'e.id', 'e.at', 'o.vendor_id', 'i.customer_id', 'e.rollout_id', 'o.release_id', 'e.installation_id', 'e.type', 'e.message');
      return rows.map((r) => ({ xid: r.xid, id: String(r.id), row: { source, id: String(r.id), at: r.at, vendorId: r.vendor_id, customerId: r.customer_id, rolloutId: r.rollout_id, releaseId: r.release_id, installationId: r.installation_id, type: r.type, message: r.message } }));
    }
    const rows: { xid: string; id: string; at: Date; vendor_id: string; action: string; target_id: string | null }[] = await trx('audit_log as e').modify(window('e')).select(trx.raw('e.xid::text AS xid'), 'e.id', 'e.at', 'e.vendor_id', 'e.action', 'e.target_id');
    return rows.map((r) => ({ xid: r.xid, id: String(r.id), row: { source: 'audit_log', id: String(r.id), at: r.at, vendorId: r.vendor_id, action: r.action, targetId: r.target_id } }));
  }
}

/**
 * The newest row of `source` that a finished transaction wrote (older than `xmin`): the last entry
 * of its (xid, id) index. Columns are named with their table: a bare `xid` in ORDER BY is the
 * select list's text column, which sorts the whole table (seconds once it holds millions of rows).
 */
export function newestFinishedRow(trx: Knex | Knex.Transaction, source: Source, xmin: string): Knex.QueryBuilder {
  return trx(source)
    .where(`${source}.xid`, '<', trx.raw('?::xid8', [xmin]))
    .orderBy([
      { column: `${source}.xid`, order: 'desc' },
      { column: `${source}.id`, order: 'desc' },
    ])
    .first(trx.raw('xid::text AS xid'), trx.raw('id::text AS id'));
}

/** (xid, id) order; xids are decimal strings of 64-bit numbers. */
function after(a: { xid: string; id: string }, b: { xid: string; id: string }): boolean {
  const ax = BigInt(a.xid);
  const bx = BigInt(b.xid);
  return ax !== bx ? ax > bx : BigInt(a.id) > BigInt(b.id);
}

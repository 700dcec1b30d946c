import type { Health } from '@flotilla/protocol';
import type { Knex } from 'knex';
import type { Database } from '../../infra/index.js';
import type { HourStats, UptimeInputs, WindowTotals } from './uptime.js';

type Db = Knex | Knex.Transaction;

export type Bucket = 'hour' | 'day';
const TABLES: Record<Bucket, { table: string; column: string }> = { hour: { table: 'uptime_hourly', column: 'hour' }, day: { table: 'uptime_daily', column: 'day' } };

/** An installation as the roll-up sees it. */
export interface RollupInstallation {
  id: string;
  vendor_id: string;
  /** Uptime counts from the agent's first connection. */
  first_connected_at: Date;
}

/** One roll-up row to store. */
export interface HourRow extends HourStats {
  installationId: string;
  vendorId: string;
}

/**
 * Uptime's storage: the raw rows it is computed from (agent sessions, health events), the hourly
 * roll-ups (`uptime_hourly`) and how far they reach (`uptime_rollup_state`).
 */
export class UptimeRepository {
  constructor(private readonly db: Database) {}

  /**
   * Sessions and health changes of some installations over [from, to), in three index range scans
   * (see the uptime migration's indexes): the sessions overlapping the span, the health changes in
   * it, and the health in force at its start. `monitoredFrom` is left to the caller.
   */
  async inputs(ids: readonly string[], from: Date, to: Date, db: Db = this.db): Promise<Map<string, Omit<UptimeInputs, 'monitoredFrom'>>> {
    const out = new Map<string, Omit<UptimeInputs, 'monitoredFrom'>>();
    if (ids.length === 0) return out;
    const idArray = [...ids];
    const sessionsQuery = (): Promise<{ rows: { installation_id: string; connected_at: Date; disconnected_at: Date | null }[] }> =>
      db.raw(
        `SELECT installation_id, connected_at, disconnected_at FROM agent_sessions
          WHERE installation_id = ANY(?::uuid[]) AND COALESCE(disconnected_at, 'infinity'::timestamptz) >= ? AND connected_at < ?`,
        [idArray, from, to],
      );
    const changesQuery = (): Promise<{ rows: { installation_id: string; health: Health; at: Date }[] }> =>
      db.raw(
        `SELECT installation_id, health, at FROM installation_events
          WHERE type = 'health' AND installation_id = ANY(?::uuid[]) AND at >= ? AND at < ?`,
        [idArray, from, to],
      );
    const beforeQuery = (): Promise<{ rows: { installation_id: string; health: Health | null }[] }> =>
      db.raw(
        `SELECT i.id AS installation_id,
                (SELECT e.health FROM installation_events e
                  WHERE e.type = 'health' AND e.installation_id = i.id AND e.at < ? ORDER BY e.at DESC LIMIT 1) AS health
           FROM unnest(?::uuid[]) AS i(id)`,
        [from, idArray],
      );
    // A transaction has one connection: its queries go one after the other.
    const [sessions, changes, before] = db.isTransaction
      ? [await sessionsQuery(), await changesQuery(), await beforeQuery()]
      : await Promise.all([sessionsQuery(), changesQuery(), beforeQuery()]);
    const sessionsOf = groupBy(sessions.rows, (s) => ({ start: s.connected_at.getTime(), end: s.disconnected_at?.getTime() ?? null }));
    const changesOf = groupBy(changes.rows, (c) => ({ at: c.at.getTime(), health: c.health }));
    for (const b of before.rows) {
      out.set(b.installation_id, { sessions: sessionsOf.get(b.installation_id) ?? [], changes: changesOf.get(b.installation_id) ?? [], initialHealth: b.health ?? 'unknown' });
    }
    return out;
  }

  /**
   * Roll-up rows in [from, until) of some installations of a vendor: hours (`uptime_hourly`) or days
   * (`uptime_daily`), each as figures starting at the row's hour or day.
   */
  async blocks(bucket: Bucket, vendorId: string, ids: readonly string[], from: Date, until: Date): Promise<Map<string, HourStats[]>> {
    const out = new Map<string, HourStats[]>();
    if (ids.length === 0 || until <= from) return out;
    const { table, column } = TABLES[bucket];
    const result: { rows: { installation_id: string; start: Date; elapsed_ms: number; connected_ms: number; up_ms: number; incidents: number }[] } = await this.db.raw(
      `SELECT installation_id, ${column} AS start, elapsed_ms, connected_ms, up_ms, incidents FROM ${table}
        WHERE vendor_id = ? AND installation_id = ANY(?::uuid[]) AND ${column} >= ? AND ${column} < ?
        ORDER BY installation_id, ${column}`,
      [vendorId, [...ids], from, until],
    );
    for (const r of result.rows) {
      const list = out.get(r.installation_id) ?? [];
      list.push({ start: r.start.getTime(), elapsedMs: r.elapsed_ms, connectedMs: r.connected_ms, upMs: r.up_ms, incidents: r.incidents });
      out.set(r.installation_id, list);
    }
    return out;
  }

  /** Sums of roll-up rows in [from, until) per installation (window totals without reading every row). */
  async totals(bucket: Bucket, vendorId: string, ids: readonly string[], from: Date, until: Date): Promise<Map<string, WindowTotals>> {
    const out = new Map<string, WindowTotals>();
    if (ids.length === 0 || until <= from) return out;
    const { table, column } = TABLES[bucket];
    const result: { rows: { installation_id: string; elapsed: string; connected: string; up: string }[] } = await this.db.raw(
      `SELECT installation_id, sum(elapsed_ms) AS elapsed, sum(connected_ms) AS connected, sum(up_ms) AS up FROM ${table}
        WHERE vendor_id = ? AND installation_id = ANY(?::uuid[]) AND ${column} >= ? AND ${column} < ?
        GROUP BY installation_id`,
      [vendorId, [...ids], from, until],
    );
    for (const r of result.rows) out.set(r.installation_id, { elapsedMs: Number(r.elapsed), connectedMs: Number(r.connected), upMs: Number(r.up) });
    return out;
  }

  /** Every hour before this is rolled up; null before the first roll-up. */
  async rolledUntil(db: Db = this.db): Promise<Date | null> {
    const row: { rolled_until: Date } | undefined = await db('uptime_rollup_state').where({ id: 1 }).first('rolled_until');
    return row?.rolled_until ?? null;
  }

  /**
   * Locks the roll-up progress for this transaction, creating it at `initial` the first time.
   * Undefined when another roll-up holds it (two hub processes never roll up at once).
   */
  async lockProgress(trx: Knex.Transaction, initial: Date): Promise<Date | undefined> {
    await trx.raw('INSERT INTO uptime_rollup_state (id, rolled_until) VALUES (1, ?) ON CONFLICT (id) DO NOTHING', [initial]);
    const row: { rolled_until: Date } | undefined = await trx('uptime_rollup_state').where({ id: 1 }).forUpdate().skipLocked().first('rolled_until');
    return row?.rolled_until;
  }

  async setRolledUntil(trx: Knex.Transaction, until: Date): Promise<void> {
    await trx('uptime_rollup_state').where({ id: 1 }).update({ rolled_until: until });
  }

  /**
   * A batch of the installations whose agent had connected before `before` (the others have no
   * uptime yet), in id order after `afterId`, locked against deletion until the transaction ends
   * (their roll-up rows reference them).
   */
  installationsBatch(trx: Knex.Transaction, before: Date, afterId: string | null, limit: number): Promise<RollupInstallation[]> {
    const q = trx('installations').where('first_connected_at', '<', before).orderBy('id').limit(limit).forKeyShare().select('id', 'vendor_id', 'first_connected_at');
    if (afterId !== null) q.where('id', '>', afterId);
    return q;
  }

  /** Stores roll-up rows in one statement; a row rolled up before is replaced (idempotent). */
  async upsertHours(trx: Knex.Transaction, rows: readonly HourRow[]): Promise<void> {
    if (rows.length === 0) return;
    await trx.raw(
      `INSERT INTO uptime_hourly (installation_id, vendor_id, hour, elapsed_ms, connected_ms, up_ms, incidents)
       SELECT * FROM unnest(?::uuid[], ?::uuid[], ?::timestamptz[], ?::int[], ?::int[], ?::int[], ?::int[])
       ON CONFLICT (installation_id, hour) DO UPDATE SET
         elapsed_ms = excluded.elapsed_ms, connected_ms = excluded.connected_ms, up_ms = excluded.up_ms, incidents = excluded.incidents`,
      [
        rows.map((r) => r.installationId),
        rows.map((r) => r.vendorId),
        rows.map((r) => new Date(r.start).toISOString()),
        rows.map((r) => r.elapsedMs),
        rows.map((r) => r.connectedMs),
        rows.map((r) => r.upMs),
        rows.map((r) => r.incidents),
      ],
    );
  }

  /**
   * Rewrites the daily rows of the UTC days from `fromDay` on from their hourly rows (a day's row
   * sums the hours of it rolled up so far).
   */
  async refreshDays(trx: Knex.Transaction, fromDay: Date, until: Date): Promise<void> {
    await trx.raw(
      `INSERT INTO uptime_daily (installation_id, vendor_id, day, elapsed_ms, connected_ms, up_ms, incidents)
       SELECT installation_id, vendor_id, date_trunc('day', hour, 'UTC'), sum(elapsed_ms), sum(connected_ms), sum(up_ms), sum(incidents)
         FROM uptime_hourly WHERE hour >= ? AND hour < ?
        GROUP BY installation_id, vendor_id, date_trunc('day', hour, 'UTC')
       ON CONFLICT (installation_id, day) DO UPDATE SET
         elapsed_ms = excluded.elapsed_ms, connected_ms = excluded.connected_ms, up_ms = excluded.up_ms, incidents = excluded.incidents`,
      [fromDay, until],
    );
  }

  /** Forgets hourly rows before `hoursBefore` and daily rows before `daysBefore` (retention); returns how many rows went. */
  async purge(hoursBefore: Date, daysBefore: Date): Promise<number> {
    const hours = await this.db('uptime_hourly').where('hour', '<', hoursBefore).delete();
    const days = await this.db('uptime_daily').where('day', '<', daysBefore).delete();
    return hours + days;
  }
}

function groupBy<R extends { installation_id: string }, T>(rows: readonly R[], map: (r: R) => T): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    const list = out.get(r.installation_id);
    if (list) list.push(map(r));
    else out.set(r.installation_id, [map(r)]);
  }
  return out;
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../src/infra/database.js';
import { migrateLatest } from '../src/migrate.js';
import { newestFinishedRow } from '../src/domain/webhooks/event-outbox.js';
import { createTestDatabase, type TestDatabase } from './helpers.js';

// The event outbox moves its cursor past rows that mean nothing (most of them) by reading the
// newest row a finished transaction wrote, every pass, on tables that grow by every agent event.
// On real PostgreSQL: that read is the end of the (xid, id) index, not a sort of the whole table.

let tdb: TestDatabase;
let db: Database;

beforeAll(async () => {
  tdb = await createTestDatabase();
  db = createDatabase(tdb.url);
  await migrateLatest(db);
  const [{ id: vendorId }] = await db('vendors').insert({ name: 'Vendor' }).returning('id');
  // Rows of many transactions, so that their xids differ.
  for (let batch = 0; batch < 20; batch += 1) {
    await db.raw(`INSERT INTO audit_log (vendor_id, action) SELECT ?, 'member.login' FROM generate_series(1, 500)`, [vendorId]);
  }
  await db.raw('ANALYZE audit_log');
});

afterAll(async () => {
  await db.destroy();
  await tdb.drop();
});

describe('newestFinishedRow', () => {
  it('is the newest row of a finished transaction, read from the end of the (xid, id) index', async () => {
    const { rows: [snap] } = (await db.raw('SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin')) as { rows: { xmin: string }[] };
    const xmin = snap?.xmin ?? '0';
    const newest = (await db('audit_log').orderBy([{ column: 'audit_log.xid', order: 'desc' }, { column: 'audit_log.id', order: 'desc' }]).first(db.raw('xid::text AS xid'), db.raw('id::text AS id'))) as { xid: string; id: string };
    expect(await newestFinishedRow(db, 'audit_log', xmin)).toEqual(newest);

    const { sql, bindings } = newestFinishedRow(db, 'audit_log', xmin).toSQL();
    const { rows } = (await db.raw(`EXPLAIN (FORMAT JSON) ${sql}`, bindings)) as { rows: { 'QUERY PLAN': unknown }[] };
    const plan = JSON.stringify(rows[0]?.['QUERY PLAN']);
    expect(plan).toContain('Backward');
    expect(plan).toContain('audit_log_xid_idx');
    expect(plan).not.toContain('"Sort"');
  });
});

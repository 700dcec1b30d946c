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
    // The snapshot's xmin is cluster-wide: a transaction open in another test's database holds it
    // back. So the test chooses the xmin, as the outbox would see it, instead of reading the cluster's.
    const written = (await db('audit_log').select(db.raw('xid::text AS xid'), db.raw('id::text AS id'))) as { xid: string; id: string }[];
    const xids = [...new Set(written.map((r) => BigInt(r.xid)))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    expect(xids).toHaveLength(20);
    const newestBelow = (xmin: bigint) =>
      written
        .filter((r) => BigInt(r.xid) < xmin)
        .reduce<{ xid: string; id: string } | undefined>((best, r) => (!best || BigInt(r.xid) > BigInt(best.xid) || (r.xid === best.xid && BigInt(r.id) > BigInt(best.id)) ? r : best), undefined);

    const allFinished = xids[19]! + 1n;
    // ids run past 9999, so a text sort would pick the wrong row.
    expect(await newestFinishedRow(db, 'audit_log', String(allFinished))).toEqual({ xid: String(xids[19]), id: '10000' });
    const halfFinished = xids[10]!;
    expect(await newestFinishedRow(db, 'audit_log', String(halfFinished))).toEqual(newestBelow(halfFinished));
    expect(newestBelow(halfFinished)?.xid).toBe(String(xids[9]));
    expect(await newestFinishedRow(db, 'audit_log', String(xids[0]))).toBeUndefined();

    const xmin = String(allFinished);
    const { sql, bindings } = newestFinishedRow(db, 'audit_log', xmin).toSQL();
    const { rows } = (await db.raw(`EXPLAIN (FORMAT JSON) ${sql}`, bindings)) as { rows: { 'QUERY PLAN': unknown }[] };
    const plan = JSON.stringify(rows[0]?.['QUERY PLAN']);
    expect(plan).toContain('Backward');
    expect(plan).toContain('audit_log_xid_idx');
    expect(plan).not.toContain('"Sort"');
  });
});

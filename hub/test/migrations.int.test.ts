import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../src/infra/database.js';
import { migrateLatest, rollbackAll } from '../src/migrate.js';
import { createTestDatabase, type TestDatabase } from './helpers.js';

let tdb: TestDatabase;
let db: Database;

beforeAll(async () => {
  tdb = await createTestDatabase();
  db = createDatabase(tdb.url);
});

afterAll(async () => {
  await db.destroy();
  await tdb.drop();
});

async function tables(): Promise<string[]> {
  const rows: { tablename: string }[] = await db('pg_tables').where({ schemaname: 'public' }).select('tablename');
  return rows.map((r) => r.tablename).filter((t) => !t.startsWith('knex_')).sort();
}

describe('migrations', () => {
  it('apply, are idempotent, roll back completely and re-apply', async () => {
    const applied = await migrateLatest(db);
    expect(applied.length).toBeGreaterThan(0);
    const created = await tables();
    expect(created).toContain('hub_nodes');

    expect(await migrateLatest(db)).toEqual([]);

    const reverted = await rollbackAll(db);
    expect(reverted.sort()).toEqual(applied.sort());
    expect(await tables()).toEqual([]);

    expect(await migrateLatest(db)).toEqual(applied);
    expect(await tables()).toEqual(created);
  });

  it('serialise concurrent starts (two hubs booting at once)', async () => {
    await rollbackAll(db);
    const other = createDatabase(tdb.url);
    try {
      const results = await Promise.allSettled([migrateLatest(db), migrateLatest(other)]);
      // knex's migration lock lets one apply; the other either waits or reports the lock; none half-applies.
      expect(results.some((r) => r.status === 'fulfilled' && r.value.length > 0)).toBe(true);
      expect(await migrateLatest(db)).toEqual([]);
    } finally {
      await other.destroy();
    }
  });
});

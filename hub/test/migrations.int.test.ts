import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../src/infra/database.js';
import { migrateLatest, rollbackAll } from '../src/migrate.js';
import { migrationSource } from '../migrations/index.js';
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

  it('move each installation\'s helm values overrides into installation_config, and back on rollback', async () => {
    await migrateLatest(db);
    const config = { migrationSource, tableName: 'knex_migrations', name: '20261208100000_installation_config' };
    await db.migrate.down(config);
    const [vendor] = (await db('vendors').insert({ name: 'v' }).returning('id')) as { id: string }[];
    const [customer] = (await db('customers').insert({ vendor_id: vendor?.id, name: 'c' }).returning('id')) as { id: string }[];
    const overrides = { api: 'replicas: 3\n', web: 'ingress: {enabled: true}\n' };
    const [withValues] = (await db('installations')
      .insert({ vendor_id: vendor?.id, customer_id: customer?.id, name: 'a', environment: 'production', agent_kind: 'helm', helm_values: JSON.stringify(overrides) })
      .returning('id')) as { id: string }[];
    await db('installations').insert({ vendor_id: vendor?.id, customer_id: customer?.id, name: 'b', environment: 'production', agent_kind: 'helm' });

    await db.migrate.up(config);
    const moved: { installation_id: string; vendor_id: string; component: string; helm_values: string; env: unknown; secrets: unknown }[] = await db('installation_config').orderBy('component');
    expect(moved).toEqual([
      expect.objectContaining({ installation_id: withValues?.id, vendor_id: vendor?.id, component: 'api', helm_values: overrides.api, env: {}, secrets: {} }),
      expect.objectContaining({ installation_id: withValues?.id, vendor_id: vendor?.id, component: 'web', helm_values: overrides.web, env: {}, secrets: {} }),
    ]);
    expect(await db.schema.hasColumn('installations', 'helm_values')).toBe(false);

    await db.migrate.down(config);
    const back: { name: string; helm_values: Record<string, string> }[] = await db('installations').orderBy('name').select('name', 'helm_values');
    expect(back).toEqual([
      { name: 'a', helm_values: overrides },
      { name: 'b', helm_values: {} },
    ]);
    await db.migrate.up(config);
    await db('installations').delete();
    await db('customers').delete();
    await db('vendors').delete();
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

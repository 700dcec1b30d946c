import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { ApiClient } from './api-client.js';
import { createTestDatabase, randomSuffix, startTestHub, type TestDatabase, type TestHub } from './helpers.js';

/**
 * List pages are keyed on (created_at, id). PostgreSQL keeps created_at to the microsecond; a
 * cursor cut to the millisecond (a JavaScript Date) repeated or skipped the rows created within
 * one millisecond. Rows made by one statement share `now()` exactly: the hardest case.
 */
let tdb: TestDatabase;
let hub: TestHub;
let api: ApiClient;
let db: pg.Client;
let vendorId: string;

beforeAll(async () => {
  tdb = await createTestDatabase();
  hub = await startTestHub({ databaseUrl: tdb.url });
  api = new ApiClient(hub.url);
  ({ vendorId } = await api.signup(randomSuffix()));
  db = new pg.Client({ connectionString: tdb.url });
  await db.connect();
});

afterAll(async () => {
  await db.end();
  await hub.close();
  await tdb.drop();
});

async function pageThrough(path: string, limit: number): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 1000; pages++) {
    const res: { status: number; body: { items: { id: string }[]; nextCursor: string | null } } = await api.get<{ items: { id: string }[]; nextCursor: string | null }>(`${path}?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(res.status).toBe(200);
    seen.push(...res.body.items.map((i) => i.id));
    cursor = res.body.nextCursor;
    if (cursor === null) return seen;
  }
  throw new Error(`${path}: the cursor never ended (${seen.length} rows seen)`);
}

describe('keyset pagination', () => {
  it('returns every row exactly once when many share one instant, and when many share one millisecond', async () => {
    // 150 customers at exactly the same instant, and 150 spread over the microseconds of one millisecond.
    await db.query(`INSERT INTO customers (vendor_id, name, created_at) SELECT $1, 'same-' || g, now() FROM generate_series(1, 150) g`, [vendorId]);
    await db.query(
      `INSERT INTO customers (vendor_id, name, created_at)
       SELECT $1, 'micro-' || g, date_trunc('milliseconds', now()) + make_interval(secs => g / 1000000.0) FROM generate_series(1, 150) g`,
      [vendorId],
    );
    const { rows } = await db.query<{ id: string }>('SELECT id FROM customers WHERE vendor_id = $1', [vendorId]);
    expect(rows).toHaveLength(300);
    for (const limit of [3, 64, 500]) {
      const seen = await pageThrough('/customers', limit);
      expect(seen.length, `limit ${limit}`).toBe(300);
      expect(new Set(seen).size, `limit ${limit}`).toBe(300);
      expect(new Set(seen)).toEqual(new Set(rows.map((r) => r.id)));
    }
  });

  it('pages newest first through commands created in the same millisecond', async () => {
    const customer = (await api.post<{ id: string }>('/customers', { name: 'Cmd' })).body.id;
    const installation = (await api.post<{ id: string }>('/installations', { customerId: customer, name: 'main', environment: 'production', agentKind: 'compose' })).body.id;
    await db.query(
      `INSERT INTO commands (vendor_id, customer_id, installation_id, type, status, payload, created_at, updated_at)
       SELECT $1, $2, $3, 'restart', 'succeeded', '{}'::jsonb, date_trunc('milliseconds', now()) + make_interval(secs => (g % 7) / 1000000.0), now()
       FROM generate_series(1, 60) g`,
      [vendorId, customer, installation],
    );
    const seen = await pageThrough(`/installations/${installation}/commands`, 8);
    expect(seen.length).toBe(60);
    expect(new Set(seen).size).toBe(60);
  });
});

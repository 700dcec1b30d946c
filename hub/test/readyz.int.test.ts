import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReadyzResponse } from '@flotilla/protocol';
import { createTestDatabase, dropRedisPrefix, randomSuffix, startTestHub, type TestDatabase, type TestHub } from './helpers.js';

describe.each([
  ['with Redis (production mode)', true],
  ['without Redis (BullMQ on PostgreSQL, in-memory adapter)', false],
])('/readyz %s', (_label, withRedis) => {
  let tdb: TestDatabase;
  let hub: TestHub;
  const prefix = `flotilla_test_${randomSuffix()}`;

  beforeAll(async () => {
    tdb = await createTestDatabase();
    hub = await startTestHub({ databaseUrl: tdb.url, ...(withRedis ? { redisPrefix: prefix } : {}) });
  });

  afterAll(async () => {
    await hub.close().catch(() => undefined);
    await tdb.drop();
    if (withRedis) await dropRedisPrefix(prefix);
  });

  it('reports every dependency ok', async () => {
    const res = await fetch(`${hub.url}/readyz`);
    const body = (await res.json()) as ReadyzResponse;
    expect(res.status).toBe(200);
    expect(body.status).toBe('ok');
    expect(Object.keys(body.checks).sort()).toEqual(['adapter', 'database', 'queue']);
    for (const check of Object.values(body.checks)) expect(check.status).toBe('ok');
  });

  it('/healthz answers while the process lives', async () => {
    const res = await fetch(`${hub.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('answers 503 naming the database when it fails', async () => {
    // Break only the knex pool: the database check must fail, the response must still come.
    await hub.infra.db.destroy();
    const res = await fetch(`${hub.url}/readyz`);
    const body = (await res.json()) as ReadyzResponse;
    expect(res.status).toBe(503);
    expect(body.status).toBe('failing');
    expect(body.checks.database.status).toBe('failing');
    expect(body.checks.database.error).toBeTruthy();
  });
});

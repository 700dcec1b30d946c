import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReadyzResponse } from '@flotilla/protocol';
import { adminQuery, createTestDatabase, dropRedisPrefix, randomSuffix, startTestHub, waitFor, type TestDatabase, type TestHub } from './helpers.js';

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

  it('answers 503 naming the database while it refuses connections, and recovers', async () => {
    // Take the database away: refuse new connections and drop the open ones.
    await adminQuery(`ALTER DATABASE ${tdb.name} ALLOW_CONNECTIONS false`);
    await adminQuery(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${tdb.name}'`);
    try {
      const res = await fetch(`${hub.url}/readyz`);
      const body = (await res.json()) as ReadyzResponse;
      expect(res.status).toBe(503);
      expect(body.status).toBe('failing');
      expect(body.checks.database.status).toBe('failing');
      expect(body.checks.database.error).toBeTruthy();
      expect(body.checks.adapter.status).toBe('ok');
    } finally {
      await adminQuery(`ALTER DATABASE ${tdb.name} ALLOW_CONNECTIONS true`);
    }
    const back = await waitFor(async () => {
      const res = await fetch(`${hub.url}/readyz`);
      return res.status === 200 ? res : undefined;
    }, 20_000, 'readiness to recover');
    expect(back.status).toBe(200);
  });
});

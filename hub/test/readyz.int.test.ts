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
    // The event-loop check fails for a second after a lag of 1 s, which a saturated machine can cause.
    const res = await waitFor(async () => {
      const r = await fetch(`${hub.url}/readyz`);
      return r.status === 200 ? r : undefined;
    }, 10_000, 'readiness');
    const body = (await res.json()) as ReadyzResponse;
    expect(res.status).toBe(200);
    expect(body.status).toBe('ok');
    expect(Object.keys(body.checks).sort()).toEqual(['adapter', 'database', 'eventLoop', 'queue']);
    for (const check of Object.values(body.checks)) expect(check.status).toBe('ok');
  });

  it('/healthz answers while the process lives', async () => {
    const res = await fetch(`${hub.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('reports the event loop’s lag, and answers 503 while the loop is blocked', async () => {
    // A busy machine may have lagged this process a moment ago: start from a loop that keeps up.
    const before = await waitFor(async () => {
      const body = (await (await fetch(`${hub.url}/readyz`)).json()) as ReadyzResponse;
      return body.checks.eventLoop.status === 'ok' ? body : undefined;
    }, 10_000, 'the event loop to keep up');
    expect(before.checks.eventLoop.latencyMs).toBeLessThan(1000);
    // This hub runs in the test's own process: block its event loop for 1.5 s.
    const until = Date.now() + 1500;
    while (Date.now() < until) {
      // busy: nothing else runs
    }
    // The window that saw the block closes within a second.
    const lagged = await waitFor(async () => {
      const res = await fetch(`${hub.url}/readyz`);
      return res.status === 503 ? ((await res.json()) as ReadyzResponse) : undefined;
    }, 10_000, 'readiness to report the blocked loop');
    expect(lagged.checks.eventLoop).toMatchObject({ status: 'failing', error: expect.stringMatching(/event loop lagged \d+ ms/) });
    expect(lagged.checks.eventLoop.latencyMs).toBeGreaterThanOrEqual(1000);
    expect(lagged.checks.database.status).toBe('ok');
    await waitFor(async () => ((await fetch(`${hub.url}/readyz`)).status === 200 ? true : undefined), 10_000, 'readiness once the loop keeps up again');
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

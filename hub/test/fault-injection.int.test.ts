import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { AgentCredentials, ReadyzResponse } from '@flotilla/protocol';
import { ApiClient } from './api-client.js';
import { REDIS_URL, createTestDatabase, dropRedisPrefix, freePort, randomSuffix, waitFor } from './helpers.js';
import { spawnHub, type HubProcess } from './hub-process.js';
import { connectAgent, host } from './sim-agent.js';
import { TcpFaultProxy } from './tcp-fault-proxy.js';

// Faults injected into real hub processes, in both modes: PostgreSQL refusing and dropping
// connections again and again, Redis cut (as a restart), the hub killed in the middle of writes.
// The hub must recover by itself and never stop answering: /healthz is polled all along (a loop
// that spins cannot answer it), /readyz's event-loop lag stays bounded and comes back to 200.
// Loopback only, about a minute per mode.

const ROUNDS = 3;
/** Generous for a loaded 2-core machine; a wedged loop shows as seconds, or no answer at all. */
const MAX_LAG_MS = 2000;

interface Mode {
  env: Record<string, string>;
  cwd: string;
  /** Drops every database connection and refuses new ones; the returned function ends the outage. */
  cutDatabase(): Promise<() => Promise<void>>;
  cutRedis?(): Promise<() => Promise<void>>;
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'flotilla-faults-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** External PostgreSQL and Redis, each behind a proxy the test cuts. */
async function externalMode(): Promise<Mode> {
  const tdb = await createTestDatabase();
  cleanups.push(() => tdb.drop());
  const prefix = `flotilla_test_${randomSuffix()}`;
  cleanups.push(() => dropRedisPrefix(prefix));
  const pgProxy = await TcpFaultProxy.start({ host: '127.0.0.1', port: 5432 });
  const redis = new URL(REDIS_URL);
  const redisProxy = await TcpFaultProxy.start({ host: redis.hostname, port: Number(redis.port || 6379) });
  cleanups.push(() => pgProxy.close(), () => redisProxy.close());
  const dbUrl = new URL(tdb.url);
  dbUrl.port = String(pgProxy.port);
  const cut = (proxy: TcpFaultProxy) => async () => {
    await proxy.cut();
    return () => proxy.restore();
  };
  return {
    cwd: await tempDir(),
    env: { DATABASE_URL: dbUrl.toString(), REDIS_URL: `redis://127.0.0.1:${redisProxy.port}`, REDIS_PREFIX: prefix },
    cutDatabase: cut(pgProxy),
    cutRedis: cut(redisProxy),
  };
}

/** The default mode: embedded PostgreSQL (queues on it too), cut from inside the server. */
async function embeddedMode(): Promise<Mode> {
  const cwd = await tempDir();
  const pgPort = await freePort();
  const admin = async (sql: string) => {
    const password = (await readFile(path.join(cwd, '.flotilla', 'pg-password'), 'utf8')).trim();
    const client = new pg.Client({ connectionString: `postgresql://flotilla:${encodeURIComponent(password)}@127.0.0.1:${pgPort}/postgres` });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  return {
    cwd,
    env: { EMBEDDED_PG_PORT: String(pgPort) },
    async cutDatabase() {
      await admin(`ALTER DATABASE flotilla ALLOW_CONNECTIONS false`);
      await admin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'flotilla'`);
      return () => admin(`ALTER DATABASE flotilla ALLOW_CONNECTIONS true`);
    },
  };
}

/** Watches a hub from outside: /healthz must answer promptly at all times; records /readyz lags. */
function watch(hub: () => HubProcess): { paused: boolean; stop(): Promise<{ unanswered: number; maxLagMs: number }> } {
  let running = true;
  let paused = false;
  let unanswered = 0;
  let maxLagMs = 0;
  const loop = (async () => {
    while (running) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      if (paused) continue;
      const h = hub();
      const ok = await fetch(`${h.url}/healthz`, { signal: AbortSignal.timeout(MAX_LAG_MS) }).then((r) => r.ok, () => false);
      if (!ok && !paused) unanswered += 1;
      const ready = await fetch(`${h.url}/readyz`, { signal: AbortSignal.timeout(5000) }).then((r) => r.json() as Promise<ReadyzResponse>, () => undefined);
      if (ready?.checks.eventLoop) maxLagMs = Math.max(maxLagMs, ready.checks.eventLoop.latencyMs);
    }
  })();
  return {
    /** Set while the test kills and restarts the hub. */
    get paused() {
      return paused;
    },
    set paused(value: boolean) {
      paused = value;
    },
    async stop() {
      running = false;
      await loop;
      return { unanswered, maxLagMs };
    },
  };
}

const readyAgain = (hub: HubProcess, what: string) =>
  waitFor(async () => ((await fetch(`${hub.url}/readyz`).catch(() => undefined))?.status === 200 ? true : undefined), 30_000, `${what}: /readyz 200\n${hub.output().slice(-3000)}`);

async function survives(mode: Mode): Promise<void> {
  const port = await freePort();
  let hub = await spawnHub({ port, cwd: mode.cwd, env: mode.env });
  cleanups.push(() => hub.stop());
  const api = new ApiClient(hub.url);
  await api.signup(randomSuffix());
  const customer = await api.post<{ id: string }>('/customers', { name: 'Acme' });
  const inst = await api.post<{ id: string }>('/installations', { customerId: customer.body.id, name: 'site', environment: 'production', agentKind: 'compose' });
  const creds = (await api.post<AgentCredentials>(`/installations/${inst.body.id}/agent-credentials`)).body;
  const watcher = watch(() => hub);

  // PostgreSQL refusing and dropping connections, again and again (and Redis, where there is one).
  const faults = [mode.cutDatabase, ...(mode.cutRedis ? [mode.cutRedis] : [])];
  for (let round = 0; round < ROUNDS; round++) {
    for (const cut of faults) {
      const restore = await cut();
      await new Promise((resolve) => setTimeout(resolve, 400 + 300 * round));
      await restore();
      await readyAgain(hub, `round ${round}`);
    }
  }
  // Writes and the agent connection work again.
  expect((await api.post('/customers', { name: 'After faults' })).status).toBe(201);
  const agent = await connectAgent(hub.url, creds.agentId, creds.secret);
  cleanups.push(async () => agent.close());
  expect(await agent.emitWithAck('agent:hello', { host, appliedRevision: 0, components: [] })).not.toHaveProperty('error');
  agent.close();

  // Killed in the middle of writes: every write it acknowledged is there after the restart.
  const acknowledged: string[] = [];
  let stop = false;
  const writers = Array.from({ length: 4 }, async (_, w) => {
    for (let i = 0; !stop; i++) {
      const res = await api.post<{ id: string }>('/customers', { name: `w${w}-${i}` }).catch(() => undefined);
      if (res?.status === 201) acknowledged.push(res.body.id);
    }
  });
  await waitFor(() => (acknowledged.length >= 20 ? true : undefined), 30_000, 'writes under way');
  watcher.paused = true;
  await hub.kill();
  stop = true;
  await Promise.all(writers);
  const before = hub.output();
  hub = await spawnHub({ port, cwd: mode.cwd, env: mode.env });
  await readyAgain(hub, 'after the kill');
  watcher.paused = false;
  // The session cookie lives in PostgreSQL: the same client goes on after the restart.
  for (const id of acknowledged) expect((await api.get(`/customers/${id}`)).status, `customer ${id}`).toBe(200);

  const { unanswered, maxLagMs } = await watcher.stop();
  expect(unanswered).toBe(0);
  expect(maxLagMs).toBeLessThan(MAX_LAG_MS);
  for (const out of [before, hub.output()]) {
    expect(out).not.toContain('event loop blocked');
    expect(out).not.toContain('Unhandled');
  }
}

describe('fault injection', { timeout: 240_000 }, () => {
  it('PostgreSQL and Redis (external, behind proxies that are cut): the hub recovers by itself and never stops answering', async () => {
    await survives(await externalMode());
  });

  it('embedded PostgreSQL (queues on PostgreSQL): the hub recovers by itself and never stops answering', async () => {
    await survives(await embeddedMode());
  });
});

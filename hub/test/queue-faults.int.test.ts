import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import pg from 'pg';
import { MIGRATION_ADVISORY_LOCK_KEY } from 'bullmq';
import { PG_ADMIN_URL, adminQuery, createTestDatabase, waitFor, type TestDatabase } from './helpers.js';

// BullMQ on PostgreSQL (the embedded mode's queues) when PostgreSQL refuses or drops connections
// while a queue worker starts. The worker runs in a thread: a spinning event loop there cannot stop
// this test from noticing it (ticks stop) and failing, then terminating the thread.

const THREAD = new URL('./queue-worker-thread.mjs', import.meta.url);

interface Thread {
  ticks: number[];
  processed: string[];
  errors: unknown[];
  post(msg: object): void;
  /** The longest time the thread's event loop went without a tick, over the last `ms`. */
  longestGapOver(ms: number): Promise<number>;
  stop(): Promise<void>;
}

function startThread(databaseUrl: string): Thread {
  const worker = new Worker(THREAD, { workerData: { databaseUrl } });
  const t: Thread = {
    ticks: [],
    processed: [],
    errors: [],
    post: (msg) => worker.postMessage(msg),
    async longestGapOver(ms) {
      const from = Date.now();
      await new Promise((resolve) => setTimeout(resolve, ms));
      const to = Date.now();
      const seen = [from, ...t.ticks.filter((x) => x > from && x <= to), to];
      return Math.max(...seen.slice(1).map((x, i) => x - (seen[i] as number)));
    },
    async stop() {
      await worker.terminate();
    },
  };
  worker.on('message', (msg: { tick?: number; processed?: string }) => {
    if (msg.tick !== undefined) t.ticks.push(msg.tick);
    if (msg.processed !== undefined) t.processed.push(msg.processed);
  });
  worker.on('error', (err) => t.errors.push(err));
  return t;
}

async function lockWaiters(database: string): Promise<number | undefined> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    const r = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'`, [database]);
    return r.rows[0]?.n || undefined;
  } finally {
    await client.end();
  }
}

let tdb: TestDatabase;
let thread: Thread | undefined;

beforeEach(async () => {
  tdb = await createTestDatabase();
});

afterEach(async () => {
  await thread?.stop();
  thread = undefined;
  await adminQuery(`ALTER DATABASE ${tdb.name} ALLOW_CONNECTIONS true`);
  await tdb.drop();
});

describe('queue workers on PostgreSQL under connection faults', () => {
  it('a worker that starts while PostgreSQL refuses connections leaves the event loop free, and works once it is back', async () => {
    await adminQuery(`ALTER DATABASE ${tdb.name} ALLOW_CONNECTIONS false`);
    thread = startThread(tdb.url);
    await waitFor(() => (thread?.ticks.length ? true : undefined), 20_000, 'the thread to start');
    // Failing connection checks are retried (with a delay), never spun on.
    expect(await thread.longestGapOver(3000)).toBeLessThan(1000);
    await adminQuery(`ALTER DATABASE ${tdb.name} ALLOW_CONNECTIONS true`);
    thread.post({ add: 'after-outage' });
    await waitFor(() => (thread?.processed.includes('after-outage') ? true : undefined), 20_000, 'the job added after the outage to run');
    expect(thread.errors).toEqual([]);
  });

  it('a worker whose first connection check is terminated by the server neither crashes nor stalls', async () => {
    // Hold BullMQ's migration lock so the worker's start waits inside its connection check, on a
    // client it checked out of its pool; then the server terminates that connection.
    const holder = new pg.Client({ connectionString: tdb.url });
    await holder.connect();
    holder.on('error', () => undefined);
    await holder.query('BEGIN');
    await holder.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [MIGRATION_ADVISORY_LOCK_KEY, 'bullmq']);
    thread = startThread(tdb.url);
    // pg_stat_activity is read outside the holder's transaction (a snapshot is fixed per transaction).
    const waiting = await waitFor(() => lockWaiters(tdb.name), 20_000, 'the worker to wait for the migration lock');
    expect(waiting).toBeGreaterThan(0);
    await adminQuery(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${tdb.name}' AND wait_event_type = 'Lock'`);
    await holder.query('ROLLBACK');
    await holder.end();
    expect(await thread.longestGapOver(2000)).toBeLessThan(1000);
    expect(thread.errors).toEqual([]);
    thread.post({ add: 'after-termination' });
    await waitFor(() => (thread?.processed.includes('after-termination') ? true : undefined), 20_000, 'the job to run');
    expect(thread.errors).toEqual([]);
  });
});

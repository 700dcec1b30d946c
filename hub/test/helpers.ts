import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import pg from 'pg';
import type { Knex } from 'knex';
import { Redis } from 'ioredis';
import { createLogger } from '../src/logger.js';
import { openInfra, type Infra } from '../src/infra/index.js';
import { migrateLatest } from '../src/migrate.js';
import { createApp, type App, type AppDeps } from '../src/app.js';
import { DEFAULT_WEBHOOK_SETTINGS, type WebhookSettings } from '../src/domain/webhooks/settings.js';
import { DEFAULT_LOG_FOLLOW_SETTINGS, type LogFollowSettings } from '../src/domain/logs/log-follow-settings.js';
import { DEFAULT_SUPPORT_BUNDLE_SETTINGS, type SupportBundleSettings } from '../src/domain/support-bundles/settings.js';
import type { SeedQuery } from '../src/dev/fleet-seed.js';

/** Admin connection of the machine's PostgreSQL, where each test file creates its own database. */
export const PG_ADMIN_URL = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export const testLogger = createLogger(process.env.TEST_LOG_LEVEL === undefined ? 'silent' : (process.env.TEST_LOG_LEVEL as 'info'));

export function randomSuffix(): string {
  return randomBytes(6).toString('hex');
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `flotilla_test_${randomSuffix()}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

/** Runs `fn` with fleet-seed's query function on a connection of its own to `databaseUrl`. */
export async function withSeedQuery<T>(databaseUrl: string, fn: (query: SeedQuery) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await fn((sql, params) => client.query(sql, params));
  } finally {
    await client.end();
  }
}

export async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export interface TestHubOptions {
  databaseUrl: string;
  /** Redis key prefix; absent = embedded-style mode (BullMQ on PostgreSQL, in-memory adapter). */
  redisPrefix?: string;
  workers?: boolean;
  liveAuthenticator?: AppDeps['liveAuthenticator'];
  publicUrl?: string;
  portalDir?: string;
  apiRateLimitPerMinute?: number;
  smtpUrl?: string;
  /** NOTIFY_DIGEST_SECONDS (default here: an hour, so only a test's own sendDigests() sends). */
  notifyDigestSeconds?: number;
  trustProxy?: boolean;
  /** `POST /auth/signup` open to anyone (default true). */
  signupEnabled?: boolean;
  /** Listen on this port (default: a free one). */
  port?: number;
  /** The agent images the hub ships (default flotilla/agent-compose:test, flotilla/agent-helm:test). */
  agentComposeImage?: string;
  agentHelmImage?: string;
  /** METRICS_TOKEN (default unset: /metrics answers loopback clients only). */
  metricsToken?: string;
  webhooks?: Partial<WebhookSettings>;
  /** Seals secrets at rest; tests run encrypted unless a case passes null (plain, as a hub without SECRETS_KEY). */
  secretsKey?: string | null;
  /** Live log tail limits (rate cap, window, duration). */
  logFollow?: Partial<LogFollowSettings>;
  /** Support bundle limits (size, retention, timeout, redaction patterns). */
  supportBundles?: Partial<SupportBundleSettings>;
  /** How long agents have to acknowledge a desired state or a command (default 10 s). */
  agentAckTimeoutMs?: number;
}

export interface TestHub {
  app: App;
  infra: Infra;
  url: string;
  close(): Promise<void>;
}

/** A real hub on port 0 over real PostgreSQL (and Redis when a prefix is given). */
/** The SECRETS_KEY test hubs seal with by default. */
export const TEST_SECRETS_KEY = 'test secrets key, at least thirty-two characters long';

export async function startTestHub(opts: TestHubOptions): Promise<TestHub> {
  const infra = await openInfra(
    {
      databaseUrl: opts.databaseUrl,
      redisUrl: opts.redisPrefix ? REDIS_URL : undefined,
      redisPrefix: opts.redisPrefix ?? 'unused',
      dataDir: '/nonexistent',
      embeddedPgPort: 0,
    },
    testLogger,
  );
  await migrateLatest(infra.db);
  const app = createApp({
    config: {
      publicUrl: opts.publicUrl ?? 'http://127.0.0.1:0',
      publicUrlConfigured: opts.publicUrl !== undefined,
      workers: opts.workers ?? true,
      signupEnabled: opts.signupEnabled ?? true,
      agentComposeImage: opts.agentComposeImage ?? 'flotilla/agent-compose:test',
      agentHelmImage: opts.agentHelmImage ?? 'flotilla/agent-helm:test',
      installTokenTtlMs: 3600_000,
      portalDir: opts.portalDir ?? '/nonexistent',
      smtpUrl: opts.smtpUrl,
      smtpFrom: 'Flotilla <test@localhost>',
      apiRateLimitPerMinute: opts.apiRateLimitPerMinute ?? 100_000,
      trustProxy: opts.trustProxy ?? false,
      uptimeRetentionDays: 35,
      licenseKeySecret: 'test license key secret',
      secretsKey: opts.secretsKey === null ? undefined : (opts.secretsKey ?? TEST_SECRETS_KEY),
      metricsToken: opts.metricsToken,
      alertEvaluationMs: 60_000,
      // Tests send digests themselves (sendDigests) unless they ask for the job's interval.
      notifyDigestSeconds: opts.notifyDigestSeconds ?? 3600,
      logFollow: { ...DEFAULT_LOG_FOLLOW_SETTINGS, ...opts.logFollow },
      supportBundles: { ...DEFAULT_SUPPORT_BUNDLE_SETTINGS, ...opts.supportBundles },
      // Test receivers listen on loopback; retries are quick.
      webhooks: { ...DEFAULT_WEBHOOK_SETTINGS, allowPrivate: true, retryBaseMs: 200, pollMs: 250, ...opts.webhooks },
    },
    logger: testLogger,
    infra,
    ...(opts.liveAuthenticator ? { liveAuthenticator: opts.liveAuthenticator } : {}),
    ...(opts.agentAckTimeoutMs === undefined ? {} : { agentAckTimeoutMs: opts.agentAckTimeoutMs }),
  });
  const address = await app.listen(opts.port ?? 0, '127.0.0.1');
  return {
    app,
    infra,
    url: `http://127.0.0.1:${address.port}`,
    async close() {
      await app.close();
      await infra.close();
    },
  };
}

/** Deletes every Redis key under a test prefix. */
export async function dropRedisPrefix(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export async function waitFor<T>(fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Waits until every transaction that was running when it was called has ended. A snapshot's xmin
 * is cluster-wide: another test file's open transaction, in its own database, holds it back, so a
 * test that expects exact "changed since the last snapshot" results settles first.
 */
export async function untilOlderTransactionsEnd(db: Knex, timeoutMs = 30_000): Promise<void> {
  const { rows: [mark] } = (await db.raw('SELECT pg_current_xact_id()::text AS xid')) as { rows: { xid: string }[] };
  await waitFor(
    async () => {
      const { rows: [row] } = (await db.raw('SELECT pg_snapshot_xmin(pg_current_snapshot()) > ?::xid8 AS passed', [mark?.xid ?? '0'])) as { rows: { passed: boolean }[] };
      return row?.passed === true ? true : undefined;
    },
    timeoutMs,
    'the transactions older than this one (in any database) to end',
  );
}

/** A loopback port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no free port'))));
    });
  });
}

/** The value of the sample `name` whose labels include `labels` (any order), or undefined. */
export function metricSample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return undefined;
}

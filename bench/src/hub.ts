import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { Redis } from 'ioredis';

const PG_ADMIN_URL = process.env.BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The built hub's entry point, found through the workspace package. */
function hubMain(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('@flotilla/hub/package.json')), 'dist', 'src', 'main.js');
}

export interface HubNode {
  url: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
  /** Memory after a full garbage collection in the hub process (see memory-probe). */
  memory(): Promise<NodeJS.MemoryUsage>;
}

const MEMORY_PROBE = fileURLToPath(new URL('./memory-probe.js', import.meta.url));

/**
 * The hubs under test: real `hub/dist/src/main.js` processes in production mode (PostgreSQL + Redis),
 * on a database and Redis prefix of their own that are dropped afterwards.
 */
export class HubCluster {
  /** @param cpuProfDir when set, hubs run with `--cpu-prof` writing there (profiles are written at exit). */
  constructor(
    /** Where each hub process's output goes (`hub-<port>-<n>.log`). */
    readonly logDir: string,
    private readonly cpuProfDir?: string,
    /** Configuration some scenarios need (the outage's SMTP sink, loopback webhooks, short intervals). */
    private readonly extraEnv: Record<string, string> = {},
  ) {
    mkdirSync(logDir, { recursive: true });
  }

  private started = 0;

  readonly dbName = `flotilla_bench_${randomBytes(5).toString('hex')}`;
  readonly redisPrefix = `flotilla-bench-${randomBytes(5).toString('hex')}`;
  private readonly nodes = new Set<{ child: ChildProcess; node: HubNode }>();

  get databaseUrl(): string {
    return `postgres://postgres@127.0.0.1:5432/${this.dbName}`;
  }

  async create(): Promise<void> {
    await adminQuery(`CREATE DATABASE ${this.dbName}`);
  }

  /** Starts one hub process on `port` and waits until /readyz answers 200. */
  async start(port: number): Promise<HubNode> {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
    Object.assign(env, {
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      DATABASE_URL: this.databaseUrl,
      REDIS_URL,
      REDIS_PREFIX: this.redisPrefix,
      LOG_LEVEL: process.env.BENCH_HUB_LOG_LEVEL ?? 'warn',
      API_RATE_LIMIT_PER_MINUTE: '1000000',
      NODE_ENV: 'production',
      ...this.extraEnv,
    });
    const probeFile = path.join(this.logDir, `memory-${port}-${this.started + 1}.json`);
    env.BENCH_MEMORY_PROBE = probeFile;
    const prof = this.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', this.cpuProfDir] : [];
    // Node or V8 flags to compare (e.g. a young generation's size), for the hub processes only.
    const nodeArgs = (process.env.BENCH_HUB_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
    const child = spawn(process.execPath, [...prof, ...nodeArgs, '--expose-gc', '--import', pathToFileURL(MEMORY_PROBE).href, hubMain()], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let probes = 0;
    let out = '';
    // The hub's warnings and errors, kept for the report (and the tail for a start that fails).
    const log = createWriteStream(path.join(this.logDir, `hub-${port}-${++this.started}.log`));
    const keep = (d: Buffer) => {
      log.write(d);
      out = (out + d.toString()).slice(-8000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.once('exit', () => log.end());
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`hub exited with ${child.exitCode}:\n${out}`);
      const ok = await fetch(`${url}/readyz`).then((r) => r.status === 200, () => false);
      if (ok) break;
      if (Date.now() > deadline) throw new Error(`hub on ${port} not ready after 60 s:\n${out}`);
      await sleep(200);
    }
    const entry = {
      child,
      node: {
        url,
        port,
        pid: child.pid ?? 0,
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) {
            const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
            child.kill('SIGTERM');
            await exited;
          }
          this.nodes.delete(entry);
        },
        memory: async () => {
          const want = ++probes;
          child.kill('SIGUSR2');
          const deadline = Date.now() + 30_000;
          for (;;) {
            const m = await readFile(probeFile, 'utf8').then(
              (t) => JSON.parse(t) as NodeJS.MemoryUsage & { seq: number },
              () => undefined,
            ).catch(() => undefined); // read while being written: try again
            if (m && m.seq >= want) return m;
            if (Date.now() > deadline) throw new Error(`hub on ${port} did not report its memory within 30 s`);
            await sleep(100);
          }
        },
      },
    };
    this.nodes.add(entry);
    return entry.node;
  }

  /** Stops every hub, drops the database and the Redis keys. */
  async destroy(): Promise<void> {
    await Promise.all([...this.nodes].map((n) => n.node.stop()));
    await adminQuery(`DROP DATABASE IF EXISTS ${this.dbName} WITH (FORCE)`).catch(() => undefined);
    const redis = new Redis(REDIS_URL);
    try {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${this.redisPrefix}*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
  }

  /** Runs a query on the bench database (durability checks). */
  async query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
    const client = new pg.Client({ connectionString: this.databaseUrl });
    await client.connect();
    try {
      return (await client.query<T>(sql, params)).rows;
    } finally {
      await client.end();
    }
  }
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

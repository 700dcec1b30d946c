/**
 * Builds docker/hub.Dockerfile for real (on a local stand-in for the Node base image, since no registry
 * is reachable here) and runs it against this machine's PostgreSQL and Redis. Host networking only.
 * `npm run test:images -w @flotilla/docker`.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, removeQuietly } from './docker-cli.js';
import { importLocalNodeImage } from './local-node-image.js';
import { REPO_ROOT } from './repo.js';

const execFileAsync = promisify(execFile);
const PG_ADMIN_URL = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const run = randomBytes(5).toString('hex');
const baseTag = `flotilla-test/node-base:${run}`;
const hubTag = `flotilla-test/hub:${run}`;
const container = `flotilla-test-hub-${run}`;
const database = `flotilla_test_image_${run}`;
const redisPrefix = `flotilla-test-image-${run}`;
let port: number;
let imagesBefore: Set<string>;
const timings: Record<string, number> = {};

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function timed<T>(name: string, step: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await step();
  } finally {
    timings[name] = Math.round((Date.now() - started) / 100) / 10;
  }
}

async function danglingImageIds(): Promise<Set<string>> {
  return new Set((await docker(['images', '-q', '--no-trunc', '--filter', 'dangling=true'])).split('\n').filter(Boolean));
}

beforeAll(async () => {
  imagesBefore = await danglingImageIds();
  await timed('base image', () => importLocalNodeImage(baseTag));
  await timed('hub image build', () =>
    docker(['build', '--force-rm', '--network', 'host', '--build-arg', `NODE_IMAGE=${baseTag}`, '-f', `${REPO_ROOT}docker/hub.Dockerfile`, '-t', hubTag, REPO_ROOT], 900_000),
  );
  await adminQuery(`CREATE DATABASE ${database}`);
  port = await freePort();
  const databaseUrl = new URL(PG_ADMIN_URL);
  databaseUrl.pathname = `/${database}`;
  await docker([
    'run', '-d', '--name', container, '--network', 'host',
    '-e', `PORT=${port}`, '-e', 'HOST=127.0.0.1', '-e', `PUBLIC_URL=http://127.0.0.1:${port}`,
    '-e', `DATABASE_URL=${databaseUrl.toString()}`, '-e', `REDIS_URL=${REDIS_URL}`, '-e', `REDIS_PREFIX=${redisPrefix}`,
    '-e', 'LOG_LEVEL=warn',
    hubTag,
  ]);
}, 900_000);

afterAll(async () => {
  await removeQuietly('container', [container]);
  await removeQuietly('image', [hubTag]);
  // The legacy builder leaves the build and deps stages as untagged images: remove those this run made
  // (their untagged parents go with them), then the base they were built on.
  await removeQuietly('image', [...(await danglingImageIds())].filter((id) => !imagesBefore.has(id)));
  await removeQuietly('image', [baseTag]);
  await adminQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  const { stdout } = await execFileAsync('redis-cli', ['-u', REDIS_URL, '--scan', '--pattern', `${redisPrefix}*`]);
  const keys = stdout.split('\n').filter(Boolean);
  if (keys.length > 0) await execFileAsync('redis-cli', ['-u', REDIS_URL, 'DEL', ...keys]);
  process.stdout.write(`image test timings (s): ${JSON.stringify(timings)}\n`);
}, 120_000);

async function get(path: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: await res.text() };
}

describe('the hub image', () => {
  it('starts in production mode and answers /healthz and /readyz', async () => {
    await timed('hub ready', () => expect.poll(() => get('/readyz').then((r) => r.status, () => 0), { timeout: 60_000, interval: 500 }).toBe(200));
    expect((await get('/healthz')).status).toBe(200);
  });

  it('serves the built portal', async () => {
    const index = await get('/');
    expect(index.status).toBe(200);
    expect(index.body).toMatch(/<div id="app">/);
  });

  it('runs as a non-root user and becomes healthy by its own HEALTHCHECK', async () => {
    expect(await docker(['exec', container, 'id', '-u'])).toBe('1000');
    expect(await docker(['inspect', '--format', '{{.Config.User}}', container])).toBe('1000:1000');
    await timed('healthy', () =>
      expect.poll(() => docker(['inspect', '--format', '{{.State.Health.Status}}', container]), { timeout: 60_000, interval: 1000 }).toBe('healthy'),
    );
  });

  it('ships production dependencies only', async () => {
    const modules = (await docker(['exec', container, 'ls', '/app/node_modules'])).split('\n');
    expect(modules).toEqual(expect.arrayContaining(['koa', 'knex', 'bullmq']));
    for (const devOnly of ['typescript', 'vitest', 'vite', 'lerna', 'playwright-core']) expect(modules).not.toContain(devOnly);
  });
});

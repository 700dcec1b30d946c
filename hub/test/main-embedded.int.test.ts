import { spawn, type ChildProcess } from 'node:child_process';
import { chown, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { ReadyzResponse } from '@flotilla/protocol';
import { freePort, waitFor } from './helpers.js';

const MAIN = fileURLToPath(new URL('../dist/src/main.js', import.meta.url));


interface Running {
  child: ChildProcess;
  output: () => string;
}

function startMain(cwd: string, port: number, pgPort: number, user?: { uid: number; gid: number }): Running {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'DATABASE_URL' && k !== 'REDIS_URL') env[k] = v;
  Object.assign(env, { PORT: String(port), HOST: '127.0.0.1', EMBEDDED_PG_PORT: String(pgPort), LOG_LEVEL: 'info' });
  const child = spawn(process.execPath, [MAIN], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], ...user });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  return { child, output: () => out };
}

async function waitReady(base: string, run: Running): Promise<ReadyzResponse> {
  return waitFor(
    async () => {
      if (run.child.exitCode !== null) throw new Error(`hub exited early:\n${run.output()}`);
      const res = await fetch(`${base}/readyz`).catch(() => undefined);
      return res?.status === 200 ? ((await res.json()) as ReadyzResponse) : undefined;
    },
    90_000,
    'the hub to be ready',
  );
}

async function stop(run: Running): Promise<{ code: number | null; ms: number }> {
  const started = Date.now();
  const exited = new Promise<number | null>((resolve) => run.child.once('exit', (code) => resolve(code)));
  run.child.kill('SIGTERM');
  const code = await exited;
  return { code, ms: Date.now() - started };
}

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('main with no DATABASE_URL / REDIS_URL (embedded default)', () => {
  it('starts embedded PostgreSQL, is ready, stops cleanly and restarts on the same data', async () => {
    const cwd = await mkdtemp(path.join(tmpdir(), 'flotilla-main-'));
    dirs.push(cwd);
    const [port, pgPort] = [await freePort(), await freePort()];
    const base = `http://127.0.0.1:${port}`;

    const first = startMain(cwd, port, pgPort);
    const ready = await waitReady(base, first);
    expect(ready.checks).toMatchObject({ database: { status: 'ok' }, queue: { status: 'ok' }, adapter: { status: 'ok' } });

    // Write a marker into the embedded database through its own credentials.
    const password = (await readFile(path.join(cwd, '.flotilla', 'pg-password'), 'utf8')).trim();
    const url = `postgresql://flotilla:${encodeURIComponent(password)}@127.0.0.1:${pgPort}/flotilla`;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query('CREATE TABLE marker (note text)');
    await client.query("INSERT INTO marker VALUES ('kept across restarts')");
    await client.end();
    // The key that seals secrets at rest was generated beside the data, owner-only.
    const keyFile = path.join(cwd, '.flotilla', 'secrets.key');
    const key = await readFile(keyFile, 'utf8');
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);

    const firstStop = await stop(first);
    expect(firstStop.code).toBe(0);
    expect(firstStop.ms).toBeLessThan(10_000);
    expect(first.output()).toContain('embedded PostgreSQL exited');

    const second = startMain(cwd, port, pgPort);
    await waitReady(base, second);
    expect(second.output()).not.toContain('initialising embedded PostgreSQL cluster');
    const again = new pg.Client({ connectionString: url });
    await again.connect();
    const rows = await again.query('SELECT note FROM marker');
    await again.end();
    expect(rows.rows).toEqual([{ note: 'kept across restarts' }]);
    expect(await readFile(keyFile, 'utf8')).toBe(key);

    const secondStop = await stop(second);
    expect(secondStop.code).toBe(0);
    expect(secondStop.ms).toBeLessThan(10_000);
  });

  it('recovers from a hub killed with SIGKILL (orphaned PostgreSQL)', async () => {
    const cwd = await mkdtemp(path.join(tmpdir(), 'flotilla-main-'));
    dirs.push(cwd);
    const [port, pgPort] = [await freePort(), await freePort()];
    const base = `http://127.0.0.1:${port}`;
    const first = startMain(cwd, port, pgPort);
    await waitReady(base, first);
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));

    const second = startMain(cwd, port, pgPort);
    await waitReady(base, second);
    expect(second.output()).toContain('orphaned embedded PostgreSQL');
    expect((await stop(second)).code).toBe(0);
  });

  // As root the hub runs PostgreSQL as the postgres user; here the hub itself is unprivileged.
  it.runIf(userInfo().uid === 0)('works when run as an unprivileged user', async () => {
    const cwd = await mkdtemp(path.join(tmpdir(), 'flotilla-main-'));
    dirs.push(cwd);
    const nobody = { uid: 65534, gid: 65534 };
    await chown(cwd, nobody.uid, nobody.gid);
    const [port, pgPort] = [await freePort(), await freePort()];
    const run = startMain(cwd, port, pgPort, nobody);
    await waitReady(`http://127.0.0.1:${port}`, run);
    expect((await stop(run)).code).toBe(0);
  });
});

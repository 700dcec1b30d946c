import { execFile, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AgentCredentials, InstallationStatus } from '@flotilla/protocol';
import { assertDockerAvailable, ensureTestImages, fetchServed, freePort, MISSING_IMAGE, removeProjects, testImage, webComposeFile, webEnv } from '../../agent-compose/test/images.js';
import { ApiClient } from './api-client.js';
import { startAgentProcess } from './agent-process.js';
import { createTestDatabase, randomSuffix, startTestHub, waitFor, type TestDatabase, type TestHub } from './helpers.js';

/**
 * End to end with the real Docker engine and the real agent process: app + versions, customer,
 * installation, credentials, `flotilla-agent-compose`, deploys, restarts, manual stops, failures.
 */
const run = promisify(execFile);

let tdb: TestDatabase;
let hub: TestHub;
let api: ApiClient;
let stateDir: string;
let agent: ChildProcess | undefined;
let agentLog = '';
let creds: AgentCredentials;
let webPort: number;
let installationId: string;
let projectPrefix: string;
const versions: Record<string, string> = {};

async function status(): Promise<InstallationStatus> {
  return (await api.get<InstallationStatus>(`/installations/${installationId}/status`)).body;
}

function startAgent(creds: AgentCredentials): ChildProcess {
  return startAgentProcess(hub.url, creds, stateDir, (text) => (agentLog += text), { FLOTILLA_LOG_LEVEL: 'debug' });
}

async function stopAgent(signal: NodeJS.Signals): Promise<void> {
  const child = agent;
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await exited;
}

async function containerStartedAt(): Promise<string> {
  const { stdout } = await run('docker', ['ps', '-q', '--filter', `label=com.docker.compose.project=${projectPrefix}web`]);
  const id = stdout.trim().split('\n')[0];
  if (!id) throw new Error('no running container');
  return (await run('docker', ['inspect', '--format', '{{.State.StartedAt}}', id])).stdout.trim();
}

beforeAll(async () => {
  await assertDockerAvailable();
  await ensureTestImages(['v1', 'v2']);
  tdb = await createTestDatabase();
  const port = await freePort();
  hub = await startTestHub({ databaseUrl: tdb.url, port, publicUrl: `http://127.0.0.1:${port}` });
  api = new ApiClient(hub.url);
  await api.signup(randomSuffix());
  stateDir = await mkdtemp(path.join(tmpdir(), 'flotilla-e2e-agent-'));
  webPort = await freePort();

  const app = await api.post<{ id: string }>('/applications', { name: 'web', kind: 'compose' });
  for (const [name, image] of [['v1', testImage('v1')], ['v2', testImage('v2')], ['v3-broken', MISSING_IMAGE]] as const) {
    const v = await api.post<{ id: string }>(`/applications/${app.body.id}/versions`, { version: name, compose: { file: webComposeFile({ image }), env: webEnv(webPort) } });
    expect(v.status).toBe(201);
    versions[name] = v.body.id;
  }
  const customer = await api.post<{ id: string }>('/customers', { name: 'Globex' });
  installationId = (await api.post<{ id: string }>('/installations', { customerId: customer.body.id, name: 'docker-host', environment: 'production', agentKind: 'compose' })).body.id;
  projectPrefix = `flt-${installationId.slice(0, 8)}-`;
});

afterAll(async () => {
  await stopAgent('SIGKILL');
  if (projectPrefix) await removeProjects(projectPrefix);
  await hub?.close();
  await tdb?.drop();
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

afterEach((ctx) => {
  if (ctx.task.result?.state === 'fail') process.stderr.write(`--- agent log (last 6 kB) ---\n${agentLog.slice(-6000)}\n`);
});

describe('agent-compose end to end', { timeout: 180_000 }, () => {
  it('takes a Docker host from nothing to a running, monitored version', async () => {
    creds = (await api.post<AgentCredentials>(`/installations/${installationId}/agent-credentials`)).body;
    agent = startAgent(creds);
    await waitFor(async () => ((await status()).online ? true : undefined), 60_000, 'agent online');

    expect((await api.post(`/installations/${installationId}/deploy`, { versionId: versions.v1 })).status).toBe(202);
    await waitFor(async () => ((await fetchServed(webPort)) === 'v1' ? true : undefined), 60_000, 'v1 served');
    await waitFor(async () => {
      const s = await status();
      return s.health === 'healthy' && s.runningVersion === 'v1' && s.appliedRevision === 1 ? true : undefined;
    }, 30_000, 'hub reports healthy v1');
    // What the real agent reports matches what was deployed, per component; the host is its handshake's.
    const s = await status();
    expect(s.versionDrift).toEqual([]);
    expect(s.components.map((c) => [c.version, c.desiredVersion])).toEqual(s.components.map(() => ['v1', 'v1']));
    expect(s.host?.hostname).toBeTruthy();
    expect(s.host?.runtime).toMatch(/docker/i);
  });

  it('deploys v2 and reports it', async () => {
    const res = await api.post<{ revision: number }>(`/installations/${installationId}/deploy`, { versionId: versions.v2 });
    expect(res.body.revision).toBe(2);
    await waitFor(async () => ((await fetchServed(webPort)) === 'v2' ? true : undefined), 60_000, 'v2 served');
    await waitFor(async () => {
      const s = await status();
      return s.health === 'healthy' && s.runningVersion === 'v2' && s.appliedRevision === 2 ? true : undefined;
    }, 30_000, 'hub reports healthy v2');
  });

  it('resyncs after an agent restart without redeploying', async () => {
    const startedBefore = await containerStartedAt();
    await stopAgent('SIGKILL');
    await waitFor(async () => ((await status()).online ? undefined : true), 60_000, 'agent offline');
    agentLog = '';
    agent = startAgent(creds);
    await waitFor(async () => {
      const s = await status();
      return s.online && s.health === 'healthy' && s.appliedRevision === 2 ? true : undefined;
    }, 30_000, 'agent back online and healthy');
    expect(await containerStartedAt()).toBe(startedBefore);
    expect(await fetchServed(webPort)).toBe('v2');
  });

  it('sees a container stopped by hand as unhealthy, and healthy again once it runs', async () => {
    const { stdout } = await run('docker', ['ps', '-q', '--filter', `label=com.docker.compose.project=${projectPrefix}web`]);
    await run('docker', ['stop', '-t', '1', stdout.trim()]);
    await waitFor(async () => (['failed', 'degraded', 'stopped'].includes((await status()).health) ? true : undefined), 30_000, 'hub sees the stopped container');
    await run('docker', ['start', stdout.trim()]);
    await waitFor(async () => ((await status()).health === 'healthy' ? true : undefined), 30_000, 'healthy again');
  });

  it('reports a failed deploy with Docker’s error text and keeps the previous containers running', async () => {
    await api.post(`/installations/${installationId}/deploy`, { versionId: versions['v3-broken'] });
    const failed = await waitFor(async () => {
      const s = await status();
      return s.health === 'failed' ? s : undefined;
    }, 60_000, 'the failure to be reported');
    const message = failed.components.map((c) => c.message ?? '').join('\n');
    expect(message).toMatch(/does-not-exist|pull access denied|not found|No such image|repository/i);
    expect(failed.appliedRevision).toBe(2);
    expect(await fetchServed(webPort)).toBe('v2');
  });
});

import { execFile, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AgentCredentials, Installation, InstallationStatus, UninstallResponse } from '@flotilla/protocol';
import { assertDockerAvailable, containersOfProjects, ensureTestImages, fetchServed, freePort, removeProjects, testImage, webComposeFile, webEnv } from '../../agent-compose/test/images.js';
import { ApiClient } from './api-client.js';
import { startAgentProcess } from './agent-process.js';
import { createTestDatabase, randomSuffix, startTestHub, waitFor, type TestDatabase, type TestHub } from './helpers.js';

/**
 * Uninstall end to end with the real Docker engine and the real `flotilla-agent-compose` process:
 * `DELETE /installations/:id?uninstall=true` → the agent runs `docker compose down` for the
 * component's project → its containers and network are gone, its named volume is kept, and the hub
 * deletes the installation.
 */
const run = promisify(execFile);

let tdb: TestDatabase;
let hub: TestHub;
let api: ApiClient;
let stateDir: string;
let agent: ChildProcess | undefined;
let agentLog = '';
let installationId: string;
let project: string;

beforeAll(async () => {
  await assertDockerAvailable();
  await ensureTestImages(['v1']);
  tdb = await createTestDatabase();
  const port = await freePort();
  hub = await startTestHub({ databaseUrl: tdb.url, port, publicUrl: `http://127.0.0.1:${port}` });
  api = new ApiClient(hub.url);
  await api.signup(randomSuffix());
  stateDir = await mkdtemp(path.join(tmpdir(), 'flotilla-uninstall-agent-'));
});

afterAll(async () => {
  if (agent && agent.exitCode === null) {
    const exited = new Promise((r) => agent?.once('exit', r));
    agent.kill('SIGKILL');
    await exited;
  }
  if (project) {
    await removeProjects(project);
    await run('docker', ['volume', 'rm', '-f', `${project}_data`]).catch(() => undefined);
    await run('docker', ['network', 'rm', `${project}_default`]).catch(() => undefined);
  }
  await hub?.close();
  await tdb?.drop();
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

afterEach((ctx) => {
  if (ctx.task.result?.state === 'fail') process.stderr.write(`--- agent log (last 6 kB) ---\n${agentLog.slice(-6000)}\n`);
});

const dockerLines = async (args: string[]) => (await run('docker', args)).stdout.split('\n').map((l) => l.trim()).filter((l) => l !== '');

describe('uninstall through a real agent-compose', { timeout: 180_000 }, () => {
  it('removes the containers and network (keeps the volume) and then the installation', async () => {
    const webPort = await freePort();
    const app = (await api.post<{ id: string }>('/applications', { name: 'web', kind: 'compose' })).body.id;
    // The default network (no network_mode: host) and a named volume, to see what `down` removes.
    const file = `${webComposeFile({ image: testImage('v1') }).replace('    network_mode: host\n', '')}    volumes:\n      - data:/data\nvolumes:\n  data: {}\n`;
    const versionId = (await api.post<{ id: string }>(`/applications/${app}/versions`, { version: 'v1', compose: { file, env: webEnv(webPort) } })).body.id;
    const customer = (await api.post<{ id: string }>('/customers', { name: 'Initech' })).body.id;
    installationId = (await api.post<Installation>('/installations', { customerId: customer, name: 'docker-host', environment: 'production', agentKind: 'compose' })).body.id;
    project = `flt-${installationId.slice(0, 8)}-web`;

    const creds = (await api.post<AgentCredentials>(`/installations/${installationId}/agent-credentials`)).body;
    agent = startAgentProcess(hub.url, creds, stateDir, (text) => (agentLog += text), { FLOTILLA_LOG_LEVEL: 'debug' });
    expect((await api.post(`/installations/${installationId}/deploy`, { versionId })).status).toBe(202);
    await waitFor(async () => {
      const s = (await api.get<InstallationStatus>(`/installations/${installationId}/status`)).body;
      return s.online && s.health === 'healthy' && s.appliedRevision === 1 ? true : undefined;
    }, 90_000, 'v1 running and healthy');
    expect(await containersOfProjects(project)).toHaveLength(1);
    expect(await dockerLines(['volume', 'ls', '-q', '--filter', `name=${project}_data`])).toEqual([`${project}_data`]);

    const res = await api.call<UninstallResponse>('DELETE', `/installations/${installationId}?uninstall=true`);
    expect(res.status).toBe(202);
    const started = Date.now();
    await waitFor(async () => ((await api.get(`/installations/${installationId}`)).status === 404 ? true : undefined), 60_000, 'the installation deleted after the uninstall');
    process.stdout.write(`uninstall: ${Date.now() - started} ms from DELETE to the installation gone\n`);

    expect(await containersOfProjects(project)).toEqual([]);
    expect(await dockerLines(['network', 'ls', '-q', '--filter', `label=com.docker.compose.project=${project}`])).toEqual([]);
    expect(await dockerLines(['volume', 'ls', '-q', '--filter', `name=${project}_data`])).toEqual([`${project}_data`]);
    expect(await fetchServed(webPort)).toBeUndefined();
    expect(agentLog).toContain('uninstalled');
  });
});

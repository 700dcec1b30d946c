import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentCredentials, InstallationCommandDetail, InstallationStatus } from '@flotilla/protocol';
import { fakeDockerEnv, killSpawned, readFakeDockerLog } from '@flotilla/agent-compose/test/fake-docker';
import { ApiClient } from './api-client.js';
import { startAgentProcess } from './agent-process.js';
import { createTestDatabase, randomSuffix, startTestHub, waitFor, type TestDatabase, type TestHub } from './helpers.js';

/**
 * Agent self-update end to end with real agent processes: the hub offers the agent it ships, a
 * self-update command makes the running agent start the updater (a fake `docker run`, which runs the
 * real `self-update-apply` step; its fake `compose up` starts the agent from the rewritten compose
 * file), the old agent exits, and the new one connects reporting the new version.
 */

const OLD_IMAGE = 'flotilla/agent-compose:0.1.0'; // the built agent-compose reports its package version, 0.1.0
const NEW_IMAGE = 'registry.test/flotilla/agent-compose:0.2.0';
let tdb: TestDatabase;
let hub: TestHub;
let api: ApiClient;
let dir: string;
let dockerLog: string;
let agent: ChildProcess | undefined;
let output = '';

beforeAll(async () => {
  tdb = await createTestDatabase();
  hub = await startTestHub({ databaseUrl: tdb.url, agentComposeImage: NEW_IMAGE });
  api = new ApiClient(hub.url);
  await api.signup(randomSuffix());
  dir = await mkdtemp(path.join(os.tmpdir(), 'flotilla-self-update-'));
  dockerLog = path.join(dir, 'docker.log');
});

afterAll(async () => {
  agent?.kill('SIGKILL');
  await killSpawned(dockerLog);
  await hub.close();
  await tdb.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('agent self-update', () => {
  it('replaces the running agent with the shipped version', async () => {
    const customerId = (await api.post<{ id: string }>('/customers', { name: 'Acme' })).body.id;
    const installationId = (await api.post<{ id: string }>('/installations', { customerId, name: 'main', environment: 'production', agentKind: 'compose' })).body.id;
    const creds = (await api.post<AgentCredentials>(`/installations/${installationId}/agent-credentials`)).body;
    const stateDir = path.join(dir, 'state');
    // What the install manifest hands the agent: its own compose document (here with a test state dir).
    const self = {
      name: 'flotilla-agent-test',
      services: {
        'flotilla-agent': {
          image: OLD_IMAGE,
          restart: 'unless-stopped',
          environment: { FLOTILLA_HUB_URL: hub.url, FLOTILLA_AGENT_ID: creds.agentId, FLOTILLA_AGENT_SECRET: creds.secret, FLOTILLA_STATE_DIR: stateDir, FLOTILLA_HEALTH_INTERVAL: '1' },
        },
      },
    };
    agent = startAgentProcess(hub.url, creds, stateDir, (t) => (output += t), { ...fakeDockerEnv(dockerLog), FLOTILLA_AGENT_COMPOSE: JSON.stringify(self) });
    const exited = new Promise<number | null>((resolve) => agent?.once('exit', (code) => resolve(code)));

    const status = () => api.get<InstallationStatus>(`/installations/${installationId}/status`).then((r) => r.body);
    const offered = await waitFor(async () => ((await status()).agentVersion === '0.1.0' ? status() : undefined), 20_000, 'the agent online with 0.1.0');
    expect(offered.agentUpdate).toEqual({ version: '0.2.0', image: NEW_IMAGE });

    const created = await api.post<{ id: string }>(`/installations/${installationId}/commands`, { type: 'self-update' });
    expect(created.status).toBe(202);
    expect(await exited, output).toBe(0);

    const command = () => api.get<InstallationCommandDetail>(`/installations/${installationId}/commands/${created.body.id}`).then((r) => r.body);
    await waitFor(async () => ((await command()).status === 'succeeded' ? true : undefined), 30_000, `the command to succeed (output: ${output})`);
    expect(await command()).toMatchObject({ status: 'succeeded', message: 'agent reconnected running 0.2.0', agentVersion: '0.2.0', image: NEW_IMAGE });
    expect(await status()).toMatchObject({ online: true, agentVersion: '0.2.0', agentUpdate: null });

    const { calls } = await readFakeDockerLog(dockerLog);
    expect(calls.find((c) => c[0] === 'run')).toEqual(expect.arrayContaining(['--entrypoint', 'flotilla-agent-compose', NEW_IMAGE, 'self-update-apply', '--image', NEW_IMAGE]));
    expect(calls.find((c) => c.includes('up') && c.includes('flotilla-agent-test'))).toEqual(['compose', '-p', 'flotilla-agent-test', '-f', path.join(stateDir, 'agent', 'compose.json'), 'up', '-d']);
    // Nothing asks the agent to update again.
    expect((await api.post(`/installations/${installationId}/commands`, { type: 'self-update' })).status).toBe(409);
  });
});

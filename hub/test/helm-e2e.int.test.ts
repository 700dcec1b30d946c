import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AgentCredentials, ComponentState, InstallationStatus } from '@flotilla/protocol';
import { FakeCluster } from '../../agent-helm/test/fake-cluster.js';
import { releaseName } from '../../agent-helm/src/release-name.js';
import { ApiClient } from './api-client.js';
import { startAgentProcess } from './agent-process.js';
import { createTestDatabase, freePort, randomSuffix, startTestHub, waitFor, type TestDatabase, type TestHub } from './helpers.js';

/**
 * End to end with the real `flotilla-agent-helm` process and the fake helm/kubectl (no cluster in CI):
 * helm app + versions with chart credentials, a helm installation with values overrides, deploys,
 * a failed upgrade, drift resolved by a redeploy command, and a component leaving the desired state.
 */
const NS = 'shop';
const REPO = 'https://charts.example.com';
const CHART_CREDS = { username: 'robot', password: 'chart-repo-password-42' };

let tdb: TestDatabase;
let hub: TestHub;
let api: ApiClient;
let cluster: FakeCluster;
let stateDir: string;
let agent: ChildProcess | undefined;
let agentLog = '';
let installationId: string;
const versions: Record<string, string> = {};

const release = (component = 'api') => releaseName(installationId, component);

async function status(): Promise<InstallationStatus> {
  return (await api.get<InstallationStatus>(`/installations/${installationId}/status`)).body;
}

/** Waits until the installation reports `want` for a component (after the given revision was applied). */
async function componentWhere(name: string, want: (c: ComponentState) => boolean, what: string, timeoutMs = 60_000): Promise<ComponentState> {
  return waitFor(async () => (await status()).components.find((c) => c.name === name && want(c)), timeoutMs, what);
}

async function deploy(versionId: string): Promise<number> {
  const res = await api.post<{ revision: number }>(`/installations/${installationId}/deploy`, { versionId });
  expect(res.status).toBe(202);
  return res.body.revision;
}

async function createVersion(app: string, version: string, values: string): Promise<string> {
  const res = await api.post<{ id: string }>(`/applications/${app}/versions`, { version, helm: { chart: 'api', repo: REPO, chartVersion: version, values, credentials: CHART_CREDS } });
  expect(res.status).toBe(201);
  return res.body.id;
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  const port = await freePort();
  hub = await startTestHub({ databaseUrl: tdb.url, port, publicUrl: `http://127.0.0.1:${port}` });
  api = new ApiClient(hub.url);
  await api.signup(randomSuffix());
  cluster = await FakeCluster.create();
  await cluster.requireAuth(CHART_CREDS);
  stateDir = await mkdtemp(path.join(tmpdir(), 'flotilla-helm-e2e-'));

  const app = (await api.post<{ id: string }>('/applications', { name: 'api', kind: 'helm' })).body.id;
  for (const v of ['1.0.0', '1.1.0', '9.9.9-fail']) versions[v] = await createVersion(app, v, `replicaCount: 1\nimage:\n  tag: "${v}"\n`);
  const customer = (await api.post<{ id: string }>('/customers', { name: 'Kube Co' })).body.id;
  installationId = (await api.post<{ id: string }>('/installations', { customerId: customer, name: 'cluster', environment: 'prod', agentKind: 'helm' })).body.id;
  expect((await api.call('PATCH', `/installations/${installationId}`, { helmValues: { api: 'replicaCount: 2\n' } })).status).toBe(200);
  const creds = (await api.post<AgentCredentials>(`/installations/${installationId}/agent-credentials`)).body;
  agent = startAgentProcess(hub.url, creds, stateDir, (text) => (agentLog += text), { ...cluster.env(), FLOTILLA_NAMESPACE: NS, FLOTILLA_LOG_LEVEL: 'debug' }, 'helm');
  await waitFor(async () => ((await status()).online ? true : undefined), 30_000, 'agent-helm online');
}, 120_000);

afterAll(async () => {
  agent?.kill('SIGKILL');
  await hub?.close();
  await tdb?.drop();
  await cluster?.dispose();
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

afterEach((ctx) => {
  if (ctx.task.result?.state === 'fail') process.stderr.write(`--- agent log (last 8 kB) ---\n${agentLog.slice(-8000)}\n`);
});

describe('agent-helm end to end', { timeout: 120_000 }, () => {
  it('deploys a helm version: a Helm release with the merged values, healthy in GET /installations/:id/status', async () => {
    const revision = await deploy(versions['1.0.0'] ?? '');
    await componentWhere('api', (c) => c.version === '1.0.0' && c.health === 'healthy', 'api 1.0.0 healthy');
    const s = await status();
    expect(s).toMatchObject({ online: true, appliedRevision: revision, health: 'healthy' });
    const [first] = (await cluster.revisions(NS, release())) ?? [];
    expect(first).toMatchObject({ status: 'deployed', chart: { name: 'api', version: '1.0.0' }, values: { replicaCount: 2, image: { tag: '1.0.0' } } });
  });

  it('upgrades to the next version', async () => {
    await deploy(versions['1.1.0'] ?? '');
    await componentWhere('api', (c) => c.version === '1.1.0' && c.health === 'healthy', 'api 1.1.0 healthy');
    expect((await cluster.revisions(NS, release()))?.map((r) => r.status)).toEqual(['superseded', 'deployed']);
  });

  it('a failed upgrade shows helm\'s error while the previous revision keeps running', async () => {
    await deploy(versions['9.9.9-fail'] ?? '');
    const failed = await componentWhere('api', (c) => c.health === 'failed' && (c.message ?? '').includes('UPGRADE FAILED'), 'the failed upgrade reported');
    expect(failed.message).toContain('context deadline exceeded');
    const live = await cluster.object(NS, 'Deployment', release());
    expect(live?.spec.template?.spec?.containers?.[0]?.image).toBe('registry.example.com/api:1.1.0');
  });

  it('a rollback by hand is drift with both revisions; a redeploy command resolves it', async () => {
    await deploy(versions['1.1.0'] ?? '');
    await componentWhere('api', (c) => c.version === '1.1.0' && c.health === 'healthy', 'api 1.1.0 healthy again');
    const applied = (await cluster.revisions(NS, release()))?.at(-1)?.version ?? 0;
    await cluster.helm(['rollback', release(), '--namespace', NS]);
    const drifted = await componentWhere('api', (c) => c.drift !== undefined, 'drift reported');
    expect(drifted.drift).toEqual({ appliedRevision: applied, actualRevision: applied + 1 });
    expect(drifted.health).toBe('degraded');

    const command = await api.post<{ id: string }>(`/installations/${installationId}/commands`, { type: 'redeploy' });
    expect(command.status).toBe(202);
    await componentWhere('api', (c) => c.drift === undefined && c.health === 'healthy', 'drift resolved');
    const last = (await cluster.revisions(NS, release()))?.at(-1);
    expect(last).toMatchObject({ version: applied + 2, status: 'deployed', description: 'Upgrade complete', chart: { version: '1.1.0' } });
  });

  it('uninstalls a component that leaves the desired state', async () => {
    const worker = (await api.post<{ id: string }>('/applications', { name: 'worker', kind: 'helm' })).body.id;
    const version = await createVersion(worker, '3.0.0', '');
    await deploy(version);
    await componentWhere('worker', (c) => c.health === 'healthy', 'worker healthy');
    await waitFor(async () => ((await cluster.revisions(NS, release('api'))) === undefined ? true : undefined), 30_000, 'api uninstalled');
    expect((await status()).components.map((c) => c.name)).toEqual(['worker']);
  });

  it('the chart password reached helm on stdin only: never in an argument or the agent\'s log', async () => {
    const calls = await cluster.calls();
    expect(calls.filter((c) => c.argv[0] === 'repo' && c.stdin === CHART_CREDS.password).length).toBeGreaterThanOrEqual(4);
    for (const call of calls) expect(call.argv.join(' ')).not.toContain(CHART_CREDS.password);
    expect(agentLog).toContain('helm upgrade --install');
    expect(agentLog).not.toContain(CHART_CREDS.password);
  });
});

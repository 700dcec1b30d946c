import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AgentCredentials, InstallationStatus, Release, Rollout } from '@flotilla/protocol';
import { FakeCluster } from '../../agent-helm/test/fake-cluster.js';
import { releaseName } from '../../agent-helm/src/release-name.js';
import { ApiClient } from './api-client.js';
import { startAgentProcess } from './agent-process.js';
import { createTestDatabase, freePort, randomSuffix, startTestHub, waitFor, type TestDatabase, type TestHub } from './helpers.js';
import { simAgent, type SimAgent } from './sim-fleet.js';

/**
 * One rollout over a mixed fleet: a two-stage release whose track ships every component both as a
 * compose application and as a helm chart, to two compose installations (simulated agents) and two
 * helm installations (the real agent-helm process with the fake helm/kubectl). Each installation
 * gets its agent's flavour, stage 1 before stage 2.
 */
const NS = 'app';
let tdb: TestDatabase;
let hub: TestHub;
let api: ApiClient;
const helmAgents: ChildProcess[] = [];
const simAgents: SimAgent[] = [];
const clusters: FakeCluster[] = [];
const dirs: string[] = [];
let agentLog = '';

type Timeline = { installationId: string | null; type: string; stage: number | null; at: string }[];

async function app(name: string, kind: 'compose' | 'helm'): Promise<{ applicationId: string; versionId: string }> {
  const applicationId = (await api.post<{ id: string }>('/applications', { name, kind })).body.id;
  const body = kind === 'compose' ? { compose: { file: `services:\n  ${name}:\n    image: acme/${name}:1.0.0\n` } } : { helm: { chart: name, repo: 'https://charts.example.com', chartVersion: '1.0.0' } };
  const versionId = (await api.post<{ id: string }>(`/applications/${applicationId}/versions`, { version: '1.0.0', ...body })).body.id;
  return { applicationId, versionId };
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  const port = await freePort();
  hub = await startTestHub({ databaseUrl: tdb.url, port, publicUrl: `http://127.0.0.1:${port}` });
  api = new ApiClient(hub.url);
  await api.signup(randomSuffix());
}, 120_000);

afterAll(async () => {
  for (const a of helmAgents) a.kill('SIGKILL');
  for (const a of simAgents) a.socket.disconnect();
  await hub?.close();
  await tdb?.drop();
  for (const c of clusters) await c.dispose();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

afterEach((ctx) => {
  if (ctx.task.result?.state === 'fail') process.stderr.write(`--- agent-helm log (last 8 kB) ---\n${agentLog.slice(-8000)}\n`);
});

describe('a rollout over compose and helm installations', { timeout: 240_000 }, () => {
  it('completes with stage order respected on both kinds of agent', async () => {
    const migrator = [await app('migrator', 'compose'), await app('migrator-chart', 'helm')];
    const web = [await app('web', 'compose'), await app('web-chart', 'helm')];
    const track = (await api.post<{ id: string }>('/tracks', { name: 'Mixed Suite', applicationIds: [...migrator, ...web].map((a) => a.applicationId) })).body.id;
    const release = (await api.post<Release>(`/tracks/${track}/releases`, { version: '1.0.0', stages: [migrator, web] })).body.id;
    expect((await api.post(`/releases/${release}/lock`)).status).toBe(200);
    const customer = (await api.post<{ id: string }>('/customers', { name: 'Mixed Co' })).body.id;
    await api.post('/entitlements', { customerId: customer, trackId: track });

    const composeIds: string[] = [];
    const helm: { id: string; cluster: FakeCluster }[] = [];
    for (const [name, kind] of [['docker-a', 'compose'], ['k8s-a', 'helm'], ['docker-b', 'compose'], ['k8s-b', 'helm']] as const) {
      const id = (await api.post<{ id: string }>('/installations', { customerId: customer, name, environment: 'prod', agentKind: kind, trackId: track })).body.id;
      const creds = (await api.post<AgentCredentials>(`/installations/${id}/agent-credentials`)).body;
      if (kind === 'compose') {
        simAgents.push(await simAgent(hub.url, id, creds.agentId, creds.secret));
        composeIds.push(id);
        continue;
      }
      const cluster = await FakeCluster.create();
      clusters.push(cluster);
      const dir = await mkdtemp(path.join(tmpdir(), 'flotilla-mixed-helm-'));
      dirs.push(dir);
      helmAgents.push(startAgentProcess(hub.url, creds, dir, (text) => (agentLog += text), { ...cluster.env(), FLOTILLA_NAMESPACE: NS }, 'helm'));
      helm.push({ id, cluster });
      await waitFor(async () => ((await api.get<InstallationStatus>(`/installations/${id}/status`)).body.online ? true : undefined), 30_000, `${name} online`);
    }

    const r = (await api.post<Rollout>('/rollouts', { releaseId: release, targets: { all: true }, strategy: { waves: [{ percent: 100 }], maxParallel: 4, respectMaintenanceWindows: false, healthTimeoutSeconds: 120 } })).body;
    expect(r.targets).toHaveLength(4);
    const done = await waitFor(async () => {
      const x = (await api.get<Rollout>(`/rollouts/${r.id}`)).body;
      if (x.status === 'paused' || x.status === 'failed') throw new Error(`rollout ${x.status}: ${x.message ?? ''} ${JSON.stringify(x.targets)}`);
      return x.status === 'completed' ? x : undefined;
    }, 180_000, 'the rollout to complete');
    expect(done.targets.map((t) => t.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);

    // The persisted timeline: every installation got stage 1, then stage 2, then succeeded.
    const timeline = (await api.get<{ items: Timeline }>(`/rollouts/${r.id}/timeline`)).body.items;
    for (const id of [...composeIds, ...helm.map((h) => h.id)]) {
      const own = timeline.filter((e) => e.installationId === id && e.type !== 'waiting').map((e) => `${e.type}${e.stage ? `@${e.stage}` : ''}`);
      expect(own).toEqual(['stage-sent@1', 'stage-sent@2', 'succeeded']);
    }

    // Compose agents got only compose components: the migrator alone first, then both.
    for (const agent of simAgents) {
      expect(agent.received.map((d) => d.components.map((c) => `${c.kind}:${c.name}@${c.stage}`))).toEqual([['compose:migrator@1'], ['compose:migrator@1', 'compose:web@2']]);
    }

    // Helm agents: releases of the charts only, the migrator's upgrade and readiness check before the web's upgrade.
    for (const { id, cluster } of helm) {
      const status = (await api.get<InstallationStatus>(`/installations/${id}/status`)).body;
      expect(status.components.map((c) => `${c.name}:${c.health}`).sort()).toEqual(['migrator-chart:healthy', 'web-chart:healthy']);
      const calls = await cluster.calls();
      const at = (match: (argv: string[]) => boolean) => calls.findIndex((c) => match(c.argv));
      const migratorRelease = releaseName(id, 'migrator-chart');
      const webRelease = releaseName(id, 'web-chart');
      const migratorUpgrade = at((a) => a[0] === 'upgrade' && a[2] === migratorRelease);
      const migratorReady = at((a) => a[0] === 'get' && a.includes(`deployment/${migratorRelease}`));
      const webUpgrade = at((a) => a[0] === 'upgrade' && a[2] === webRelease);
      expect(migratorUpgrade).toBeGreaterThanOrEqual(0);
      expect(migratorReady).toBeGreaterThan(migratorUpgrade);
      expect(webUpgrade).toBeGreaterThan(migratorReady);
      expect(calls.filter((c) => c.argv[0] === 'upgrade')).toHaveLength(2);
      expect((await cluster.revisions(NS, webRelease))?.map((x) => x.status)).toEqual(['deployed']);
    }
  });

  it('refuses an explicit target whose kind of agent has no component in the release; a direct deploy says why', async () => {
    const chart = await app('only-chart', 'helm');
    const track = (await api.post<{ id: string }>('/tracks', { name: 'Charts Only', applicationIds: [chart.applicationId] })).body.id;
    const release = (await api.post<Release>(`/tracks/${track}/releases`, { version: '1.0.0', stages: [[chart]] })).body.id;
    expect((await api.post(`/releases/${release}/lock`)).status).toBe(200);
    const customer = (await api.post<{ id: string }>('/customers', { name: 'Docker Only Co' })).body.id;
    await api.post('/entitlements', { customerId: customer, trackId: track });
    const docker = (await api.post<{ id: string }>('/installations', { customerId: customer, name: 'docker', environment: 'prod', agentKind: 'compose', trackId: track })).body.id;
    const refused = await api.post<{ error: { message: string } }>('/rollouts', { releaseId: release, targets: { installationIds: [docker] } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toBe('targets: docker (compose agent): release 1.0.0 has no component for that kind of agent');
    const deploy = await api.post<{ error: { message: string } }>(`/installations/${docker}/deploy`, { releaseId: release });
    expect(deploy.status).toBe(400);
    expect(deploy.body.error.message).toBe('Release 1.0.0 has no component for a compose agent');
  });
});

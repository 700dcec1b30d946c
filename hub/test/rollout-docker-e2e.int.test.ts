import { execFile, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AgentCredentials, InstallationStatus, Release, Rollout } from '@flotilla/protocol';
import { assertDockerAvailable, containersOfProjects, ensureTestImages, removeProjects, testImage, webComposeFile, webEnv } from '../../agent-compose/test/images.js';
import { ApiClient } from './api-client.js';
import { startAgentProcess } from './agent-process.js';
import { createTestDatabase, randomSuffix, startTestHub, waitFor, type TestDatabase, type TestHub } from './helpers.js';

/** One real rollout: a two-stage release to two agent-compose installations on the real Docker engine. */
const run = promisify(execFile);

let tdb: TestDatabase;
let hub: TestHub;
let api: ApiClient;
const agents: ChildProcess[] = [];
const dirs: string[] = [];
const prefixes: string[] = [];
let agentLog = '';

async function startedAt(prefix: string, component: string): Promise<{ at: number; image: string }> {
  const [id] = await containersOfProjects(`${prefix}${component}`);
  if (!id) throw new Error(`no container for ${prefix}${component}`);
  const { stdout } = await run('docker', ['inspect', '--format', '{{.State.StartedAt}} {{.Config.Image}} {{.State.Running}}', id]);
  const [at, image, running] = stdout.trim().split(' ');
  expect(running).toBe('true');
  return { at: Date.parse(at ?? ''), image: image ?? '' };
}

beforeAll(async () => {
  await assertDockerAvailable();
  await ensureTestImages(['v1', 'v2']);
  tdb = await createTestDatabase();
  hub = await startTestHub({ databaseUrl: tdb.url });
  api = new ApiClient(hub.url);
  await api.signup(randomSuffix());
}, 120_000);

afterAll(async () => {
  for (const a of agents) a.kill('SIGKILL');
  for (const p of prefixes) await removeProjects(p);
  await hub?.close();
  await tdb?.drop();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

afterEach((ctx) => {
  if (ctx.task.result?.state === 'fail') process.stderr.write(`--- agent log (last 6 kB) ---\n${agentLog.slice(-6000)}\n`);
});

describe('a real rollout', { timeout: 240_000 }, () => {
  it('takes a two-stage release to two agent-compose installations, stage by stage, wave by wave', async () => {
    // Port 0: several installations share this Docker host, so no fixed ports; no healthcheck.
    const stages: { applicationId: string; versionId: string }[][] = [];
    const appIds: string[] = [];
    for (const [name, image] of [['migrator', testImage('v1')], ['web', testImage('v2')]] as const) {
      const app = (await api.post<{ id: string }>('/applications', { name, kind: 'compose' })).body.id;
      const version = (await api.post<{ id: string }>(`/applications/${app}/versions`, { version: '1.0.0', compose: { file: webComposeFile({ image, healthcheck: false }), env: webEnv(0) } })).body.id;
      appIds.push(app);
      stages.push([{ applicationId: app, versionId: version }]);
    }
    const track = (await api.post<{ id: string }>('/tracks', { name: 'Docker Suite', applicationIds: appIds })).body.id;
    const release = (await api.post<Release>(`/tracks/${track}/releases`, { version: '1.0.0', stages })).body.id;
    expect((await api.post(`/releases/${release}/lock`)).status).toBe(200);
    const customer = (await api.post<{ id: string }>('/customers', { name: 'Docker Co' })).body.id;
    await api.post('/entitlements', { customerId: customer, trackId: track });

    const installs: { id: string; prefix: string }[] = [];
    for (const name of ['site-a', 'site-b']) {
      const id = (await api.post<{ id: string }>('/installations', { customerId: customer, name, environment: 'prod', agentKind: 'compose', trackId: track })).body.id;
      const creds = (await api.post<AgentCredentials>(`/installations/${id}/agent-credentials`)).body;
      const dir = await mkdtemp(path.join(tmpdir(), 'flotilla-rollout-agent-'));
      dirs.push(dir);
      agents.push(startAgentProcess(hub.url, creds, dir, (text) => (agentLog += text)));
      const prefix = `flt-${id.slice(0, 8)}-`;
      prefixes.push(prefix);
      installs.push({ id, prefix });
      await waitFor(async () => ((await api.get<InstallationStatus>(`/installations/${id}/status`)).body.online ? true : undefined), 60_000, 'agent online');
    }

    const r = (await api.post<Rollout>('/rollouts', { releaseId: release, targets: { all: true }, strategy: { waves: [{ count: 1 }, { percent: 100 }], maxParallel: 1, respectMaintenanceWindows: false, healthTimeoutSeconds: 120 } })).body;
    expect(r.waves.map((w) => w.total)).toEqual([1, 1]);
    const done = await waitFor(async () => {
      const x = (await api.get<Rollout>(`/rollouts/${r.id}`)).body;
      if (x.status === 'paused' || x.status === 'failed') throw new Error(`rollout ${x.status}: ${x.message ?? ''} ${JSON.stringify(x.targets)}`);
      return x.status === 'completed' ? x : undefined;
    }, 180_000, 'the rollout to complete');
    expect(done.targets.every((t) => t.status === 'succeeded')).toBe(true);

    const [first, second] = [done.targets.find((t) => t.wave === 0), done.targets.find((t) => t.wave === 1)];
    for (const inst of installs) {
      const migrator = await startedAt(inst.prefix, 'migrator');
      const web = await startedAt(inst.prefix, 'web');
      expect(migrator.image).toBe(testImage('v1'));
      expect(web.image).toBe(testImage('v2'));
      expect(web.at).toBeGreaterThanOrEqual(migrator.at);
    }
    // wave 1 started only after wave 0 finished: compare the containers' start times across installations
    const firstInst = installs.find((i) => i.id === first?.installationId);
    const secondInst = installs.find((i) => i.id === second?.installationId);
    expect((await startedAt(secondInst?.prefix ?? '', 'migrator')).at).toBeGreaterThanOrEqual((await startedAt(firstInst?.prefix ?? '', 'web')).at);
    const status = (await api.get<InstallationStatus>(`/installations/${installs[0]?.id ?? ''}/status`)).body;
    expect(status.desiredVersion).toBe('1.0.0');
  });
});

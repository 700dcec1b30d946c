import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeployResponse, InstallationStatus, LiveClientToServerEvents, LiveServerToClientEvents, Release, Rollout, RolloutTimeline } from '@flotilla/protocol';
import { containersOfProjects, testImage, webComposeFile, webEnv } from '../../agent-compose/test/images.js';
import type { ApiClient } from './api-client.js';
import { useDockerE2e } from './docker-e2e.js';
import { waitFor } from './helpers.js';

/**
 * Required releases on a real agent-compose and the real Docker engine. Releases 1.0.0, 2.0.0
 * (required), 3.0.0, and 4.0.0 whose Docker health check fails. An installation on 1.0.0 rolled out
 * to 3.0.0 runs 2.0.0 first (healthy, as its agent reports it), then 3.0.0; going back from 3.0.0
 * stops at 2.0.0, never 1.0.0. A second installation on 1.0.0 rolled out to the failing 4.0.0 under
 * `failurePolicy: rollback` steps through 2.0.0 and walks back to it, not to 1.0.0. A third on
 * 1.0.0 deployed 3.0.0 directly steps through 2.0.0 the same way (a one-installation rollout).
 */
const run = promisify(execFile);
type Err = { error: { code: string; message: string } };

const e2e = useDockerE2e({ images: ['v1', 'v2', 'v3'] });
let api: ApiClient;
let live: Socket<LiveServerToClientEvents, LiveClientToServerEvents> | undefined;
const ids: Record<string, string> = {};
/** Per installation: each web version its agent reported healthy, in the order reported (live events). */
const healthyVersions = new Map<string, string[]>();

function observe(s: InstallationStatus): void {
  const web = s.components.find((c) => c.name === 'web');
  if (!web || web.health !== 'healthy' || !web.version) return;
  const seen = healthyVersions.get(s.installationId) ?? [];
  if (seen[seen.length - 1] !== web.version) seen.push(web.version);
  healthyVersions.set(s.installationId, seen);
}

async function webImage(installationId: string): Promise<string> {
  const [id] = await containersOfProjects(`flt-${installationId.slice(0, 8)}-web`);
  if (!id) throw new Error(`no web container for ${installationId}`);
  return (await run('docker', ['inspect', '--format', '{{.Config.Image}}', id])).stdout.trim();
}

const status = async (id: string) => (await api.get<InstallationStatus>(`/installations/${id}/status`)).body;
const runs = (id: string, version: string, what: string) =>
  waitFor(async () => {
    const s = await status(id);
    return s.runningVersion === version && s.health === 'healthy' ? s : undefined;
  }, 120_000, what);

async function installationWithAgent(name: string): Promise<string> {
  const id = (await api.post<{ id: string }>('/installations', { customerId: ids.customer, name, environment: 'prod', agentKind: 'compose', trackId: ids.track })).body.id;
  await e2e.startAgent(id);
  expect((await api.post(`/installations/${id}/deploy`, { releaseId: ids.r1 })).status).toBe(202);
  await runs(id, '1.0.0', `${name} running 1.0.0`);
  return id;
}

async function rolloutEnds(body: Record<string, unknown>): Promise<Rollout> {
  const created = await api.post<Rollout>('/rollouts', body);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return waitFor(async () => {
    const r = (await api.get<Rollout>(`/rollouts/${created.body.id}`)).body;
    if (r.status === 'paused' || r.status === 'aborted') throw new Error(`rollout ${r.status}: ${r.message ?? ''} ${JSON.stringify(r.targets)}`);
    return r.status === 'completed' || r.status === 'rolled_back' ? r : undefined;
  }, 240_000, 'the rollout to end');
}

beforeAll(async () => {
  api = e2e.api;
  live = connect(`${e2e.hub.url}/live`, { transports: ['websocket'], forceNew: true, reconnection: false, extraHeaders: { cookie: api.sessionCookie ?? '' } });
  live.on('installation:status', observe);
  live.on('installation:statuses', (all) => all.forEach(observe));
  await new Promise<void>((resolve) => live?.once('connect', () => resolve()));

  const web = (await api.post<{ id: string }>('/applications', { name: 'web', kind: 'compose' })).body.id;
  ids.track = (await api.post<{ id: string }>('/tracks', { name: 'Shop', applicationIds: [web] })).body.id;
  const failing = `${webComposeFile({ image: testImage('v3'), healthcheck: false })}    healthcheck:\n      test: ["CMD-SHELL", "echo schema check failed; exit 1"]\n      interval: 1s\n      timeout: 2s\n      retries: 2\n`;
  const files: [string, string, boolean][] = [
    ['1.0.0', webComposeFile({ image: testImage('v1'), healthcheck: false }), false],
    ['2.0.0', webComposeFile({ image: testImage('v2'), healthcheck: false }), true],
    ['3.0.0', webComposeFile({ image: testImage('v3'), healthcheck: false }), false],
    ['4.0.0', failing, false],
  ];
  for (const [version, file, required] of files) {
    const versionId = (await api.post<{ id: string }>(`/applications/${web}/versions`, { version, compose: { file, env: webEnv(0) } })).body.id;
    const release = await api.post<Release>(`/tracks/${ids.track}/releases`, { version, required, stages: [[{ applicationId: web, versionId }]] });
    expect(release.status, JSON.stringify(release.body)).toBe(201);
    expect((await api.post(`/releases/${release.body.id}/lock`)).status).toBe(200);
    ids[`r${version[0] ?? ''}`] = release.body.id;
  }
  ids.customer = (await api.post<{ id: string }>('/customers', { name: 'Required Co' })).body.id;
  await api.post('/entitlements', { customerId: ids.customer, trackId: ids.track });
}, 180_000);

afterAll(async () => {
  live?.disconnect();
});

describe('required releases on Docker', { timeout: 400_000 }, () => {
  it('a rollout from 1.0.0 to 3.0.0 runs the required 2.0.0 first; going back from 3.0.0 stops at 2.0.0', async () => {
    const site = await installationWithAgent('site-a');
    const done = await rolloutEnds({ releaseId: ids.r3, targets: { installationIds: [site] }, strategy: { respectMaintenanceWindows: false, healthTimeoutSeconds: 120 } });
    expect(done.status).toBe('completed');
    expect(done.targets[0]).toMatchObject({ status: 'succeeded', requiredSteps: [{ releaseId: ids.r2, version: '2.0.0', stageCount: 1 }], step: 1 });
    const s = await runs(site, '3.0.0', 'site-a running 3.0.0');
    expect(s.versionDrift).toEqual([]);
    expect(await webImage(site)).toBe(testImage('v3'));
    // The order the agent reported: 2.0.0 healthy before 3.0.0 was ever running.
    expect(healthyVersions.get(site)).toEqual(['1.0.0', '2.0.0', '3.0.0']);
    const timeline = (await api.get<RolloutTimeline>(`/rollouts/${done.id}/timeline`)).body.items.filter((e) => e.type === 'stage-sent');
    expect(timeline.map((e) => e.message)).toEqual(['release 2.0.0 (required), step 1 of 2', 'release 3.0.0, step 2 of 2']);

    // Back from 3.0.0: never to 1.0.0 (deploy or rollout), down to the required 2.0.0 yes.
    const deploy = await api.post<Err>(`/installations/${site}/deploy`, { releaseId: ids.r1 });
    expect([deploy.status, deploy.body.error.code]).toEqual([409, 'BELOW_REQUIRED_RELEASE']);
    const rollout = await api.post<Err>('/rollouts', { releaseId: ids.r1, targets: { installationIds: [site] } });
    expect([rollout.status, rollout.body.error.code]).toEqual([409, 'BELOW_REQUIRED_RELEASE']);
    expect((await api.post(`/installations/${site}/deploy`, { releaseId: ids.r2 })).status).toBe(202);
    await runs(site, '2.0.0', 'site-a back on 2.0.0');
    expect(await webImage(site)).toBe(testImage('v2'));
    expect(healthyVersions.get(site)).toEqual(['1.0.0', '2.0.0', '3.0.0', '2.0.0']);
  });

  it('a failing release rolls back to the required release stepped through, never to 1.0.0', async () => {
    const site = await installationWithAgent('site-b');
    const done = await rolloutEnds({ releaseId: ids.r4, targets: { installationIds: [site] }, strategy: { failurePolicy: 'rollback', respectMaintenanceWindows: false, healthTimeoutSeconds: 120 } });
    expect(done.status).toBe('rolled_back');
    expect(done.targets[0]).toMatchObject({ status: 'rolled_back', step: 1 });
    expect(done.targets[0]?.message).toMatch(/^stage 1 failed: web failed/);
    const timeline = (await api.get<RolloutTimeline>(`/rollouts/${done.id}/timeline`)).body.items.filter((e) => e.installationId === site);
    expect(timeline.map((e) => `${e.type}${e.stage ? `@${e.stage}` : ''}`)).toEqual(['stage-sent@1', 'stage-sent@1', 'rollback-stage@1', 'rolled_back']);
    const back = await runs(site, '2.0.0', 'site-b back on 2.0.0');
    expect(back.desiredVersion).toBe('2.0.0');
    expect(await webImage(site)).toBe(testImage('v2'));
    expect(healthyVersions.get(site)).toEqual(['1.0.0', '2.0.0']);
  });

  it('a direct deploy from 1.0.0 to 3.0.0 runs the required 2.0.0 first, healthy on the agent, then 3.0.0', async () => {
    const site = await installationWithAgent('site-c');
    const deploy = await api.post<DeployResponse>(`/installations/${site}/deploy`, { releaseId: ids.r3 });
    expect(deploy.status, JSON.stringify(deploy.body)).toBe(202);
    expect(deploy.body.steps?.map((s) => s.version)).toEqual(['2.0.0', '3.0.0']);
    const rolloutId = deploy.body.rolloutId ?? '';
    const done = await waitFor(async () => {
      const r = (await api.get<Rollout>(`/rollouts/${rolloutId}`)).body;
      if (r.status === 'paused' || r.status === 'aborted') throw new Error(`rollout ${r.status}: ${r.message ?? ''} ${JSON.stringify(r.targets)}`);
      return r.status === 'completed' ? r : undefined;
    }, 240_000, 'the stepped deploy to end');
    expect(done.targets[0]).toMatchObject({ installationId: site, status: 'succeeded', step: 1 });
    const s = await runs(site, '3.0.0', 'site-c running 3.0.0');
    expect(s.versionDrift).toEqual([]);
    expect(await webImage(site)).toBe(testImage('v3'));
    // The agent reported 2.0.0 healthy before 3.0.0 ran.
    expect(healthyVersions.get(site)).toEqual(['1.0.0', '2.0.0', '3.0.0']);
    const sent = (await api.get<RolloutTimeline>(`/rollouts/${rolloutId}/timeline`)).body.items.filter((e) => e.type === 'stage-sent');
    expect(sent.map((e) => e.message)).toEqual(['release 2.0.0 (required), step 1 of 2', 'release 3.0.0, step 2 of 2']);
  });
});

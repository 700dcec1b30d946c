import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import type { InstallationStatus, InstallationUpdates, Release, Rollout, RolloutTimeline } from '@flotilla/protocol';
import { containersOfProjects, testImage, webComposeFile, webEnv } from '../../agent-compose/test/images.js';
import type { ApiClient } from './api-client.js';
import { useDockerE2e } from './docker-e2e.js';
import { waitFor } from './helpers.js';

/**
 * A rollback that finishes by itself, on a real agent-compose and the real Docker engine: release
 * 2.0.0's web component has a Docker health check that fails. Under `failurePolicy: rollback` and
 * the default `maxFailures: 0`, the installation walks back to 1.0.0 with no manual step, the
 * rollout ends `rolled_back` naming the failed check, the installation shows 1.0.0 again, and its
 * customer sees 2.0.0 as failed, not as an available update.
 */
const run = promisify(execFile);
const CHECK_OUTPUT = 'payments database unreachable';

const e2e = useDockerE2e({ images: ['v1', 'v2'] });
let api: ApiClient;

async function imageOf(prefix: string, component: string): Promise<string> {
  const [id] = await containersOfProjects(`${prefix}${component}`);
  if (!id) throw new Error(`no container for ${prefix}${component}`);
  return (await run('docker', ['inspect', '--format', '{{.Config.Image}}', id])).stdout.trim();
}

/** The test image's web service with a Docker health check that always fails, saying why. */
function failingWebFile(image: string): string {
  return `${webComposeFile({ image, healthcheck: false })}    healthcheck:\n      test: ["CMD-SHELL", "echo ${CHECK_OUTPUT}; exit 1"]\n      interval: 1s\n      timeout: 2s\n      retries: 2\n`;
}

beforeAll(async () => {
  api = e2e.api;
}, 120_000);

describe('a rollback that finishes', { timeout: 300_000 }, () => {
  it('a failing health check walks the installation back to its previous release, and the rollout ends rolled_back', async () => {
    // Two stages (migrator, then web); port 0 (several tests share this Docker host).
    const apps: Record<string, string> = {};
    const versions: Record<string, string> = {};
    for (const name of ['migrator', 'web']) {
      apps[name] = (await api.post<{ id: string }>('/applications', { name, kind: 'compose' })).body.id;
      for (const [version, file] of [
        ['1.0.0', webComposeFile({ image: testImage('v1'), healthcheck: false })],
        ['2.0.0', name === 'web' ? failingWebFile(testImage('v2')) : webComposeFile({ image: testImage('v2'), healthcheck: false })],
      ] as const) {
        const res = await api.post<{ id: string }>(`/applications/${apps[name]}/versions`, { version, compose: { file, env: webEnv(0) } });
        expect(res.status, JSON.stringify(res.body)).toBe(201);
        versions[`${name}@${version}`] = res.body.id;
      }
    }
    const track = (await api.post<{ id: string }>('/tracks', { name: 'Shop', applicationIds: [apps.migrator, apps.web] })).body.id;
    const release = async (version: string) => {
      const stages = ['migrator', 'web'].map((name) => [{ applicationId: apps[name] ?? '', versionId: versions[`${name}@${version}`] ?? '' }]);
      const id = (await api.post<Release>(`/tracks/${track}/releases`, { version, stages })).body.id;
      expect((await api.post(`/releases/${id}/lock`)).status).toBe(200);
      return id;
    };
    const [v1, v2] = [await release('1.0.0'), await release('2.0.0')];
    const customer = (await api.post<{ id: string }>('/customers', { name: 'Rollback Co' })).body.id;
    await api.post('/entitlements', { customerId: customer, trackId: track });

    // site-a runs 1.0.0 on a real agent; site-b (no agent) waits in the second wave.
    const installation = async (name: string) => (await api.post<{ id: string }>('/installations', { customerId: customer, name, environment: 'prod', agentKind: 'compose', trackId: track })).body.id;
    const site = await installation('site-a');
    const later = await installation('site-b');
    const { prefix } = await e2e.startAgent(site);
    const status = async () => (await api.get<InstallationStatus>(`/installations/${site}/status`)).body;
    expect((await api.post(`/installations/${site}/deploy`, { releaseId: v1 })).status).toBe(202);
    await waitFor(async () => {
      const s = await status();
      return s.runningVersion === '1.0.0' && s.health === 'healthy' ? true : undefined;
    }, 120_000, 'site-a running 1.0.0, healthy');

    // The rollout of 2.0.0: rollback, default maxFailures (0). No call below steers it.
    const created = await api.post<Rollout>('/rollouts', {
      releaseId: v2,
      targets: { installationIds: [site, later] },
      strategy: { failurePolicy: 'rollback', waves: [{ installationIds: [site] }, { percent: 100 }], respectMaintenanceWindows: false, healthTimeoutSeconds: 120 },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.strategy.maxFailures).toBe(0);
    const done = await waitFor(async () => {
      const x = (await api.get<Rollout>(`/rollouts/${created.body.id}`)).body;
      if (x.status === 'paused' || x.status === 'completed') throw new Error(`rollout ${x.status}: ${x.message ?? ''} ${JSON.stringify(x.targets)}`);
      return x.status === 'rolled_back' ? x : undefined;
    }, 240_000, 'the rollout to end rolled back');

    expect(done.message).toBe('1 failure exceeds maxFailures (0): failed installations rolled back');
    const [a, b] = [done.targets.find((t) => t.installationId === site), done.targets.find((t) => t.installationId === later)];
    expect(a?.status).toBe('rolled_back');
    // The failing check: stage, component, health and the health check's own output.
    expect(a?.message).toMatch(/^stage 2 failed: web failed \(.*payments database unreachable/);
    expect(b).toMatchObject({ status: 'skipped', stage: 0 });
    expect(b?.message).toContain('not started');
    const timeline = (await api.get<RolloutTimeline>(`/rollouts/${done.id}/timeline`)).body.items;
    expect(timeline.filter((e) => e.installationId === site).map((e) => `${e.type}${e.stage ? `@${e.stage}` : ''}`)).toEqual(['stage-sent@1', 'stage-sent@2', 'rollback-stage@2', 'rollback-stage@1', 'rolled_back']);
    expect(timeline.filter((e) => ['paused', 'resumed'].includes(e.type))).toEqual([]);

    // What actually runs: 1.0.0 again, healthy, on the containers too.
    const back = await waitFor(async () => {
      const s = await status();
      return s.runningVersion === '1.0.0' && s.health === 'healthy' ? s : undefined;
    }, 120_000, 'site-a back on 1.0.0, healthy');
    expect(back.desiredVersion).toBe('1.0.0');
    expect(back.versionDrift).toEqual([]);
    expect(await imageOf(prefix, 'migrator')).toBe(testImage('v1'));
    expect(await imageOf(prefix, 'web')).toBe(testImage('v1'));

    // Its customer sees 2.0.0 as failed, not as an available update (and no downgrade either).
    const updates = (await api.get<InstallationUpdates>(`/installations/${site}/updates`)).body;
    expect(updates.currentVersion).toBe('1.0.0');
    expect(updates.items.map((r) => r.version)).toEqual([]);
    expect(updates.failed).toEqual([expect.objectContaining({ releaseId: v2, version: '2.0.0', rolloutId: done.id, status: 'rolled_back' })]);
    expect(updates.failed[0]?.message).toContain(CHECK_OUTPUT);
  });
});

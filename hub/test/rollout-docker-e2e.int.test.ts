import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import type { InstallationStatus, Release, Rollout } from '@flotilla/protocol';
import { containersOfProjects, testImage, webComposeFile, webEnv } from '../../agent-compose/test/images.js';
import type { ApiClient } from './api-client.js';
import { useDockerE2e } from './docker-e2e.js';
import { waitFor } from './helpers.js';

/** One real rollout: a two-stage release to two agent-compose installations on the real Docker engine. */
const run = promisify(execFile);

const e2e = useDockerE2e({ images: ['v1', 'v2'] });
let api: ApiClient;

async function startedAt(prefix: string, component: string): Promise<{ at: number; image: string }> {
  const [id] = await containersOfProjects(`${prefix}${component}`);
  if (!id) throw new Error(`no container for ${prefix}${component}`);
  const { stdout } = await run('docker', ['inspect', '--format', '{{.State.StartedAt}} {{.Config.Image}} {{.State.Running}}', id]);
  const [at, image, running] = stdout.trim().split(' ');
  expect(running).toBe('true');
  return { at: Date.parse(at ?? ''), image: image ?? '' };
}

beforeAll(() => {
  api = e2e.api;
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
      const { prefix } = await e2e.startAgent(id);
      installs.push({ id, prefix });
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

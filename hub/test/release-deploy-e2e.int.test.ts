import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import type { InstallationStatus, Release } from '@flotilla/protocol';
import { containersOfProjects, fetchServed, freePort, MISSING_IMAGE, testImage, webComposeFile, webEnv } from '../../agent-compose/test/images.js';
import type { ApiClient } from './api-client.js';
import { useDockerE2e } from './docker-e2e.js';
import { waitFor } from './helpers.js';

/**
 * A three-stage release (migrator → api → web) deployed directly to an installation with the real
 * agent and Docker: stage order is read from Docker itself (container start times against the
 * previous stage's first passing healthcheck), and a failing stage 2 keeps stage 3 from starting.
 */
const run = promisify(execFile);

const e2e = useDockerE2e({ images: ['v1', 'v2'] });
let api: ApiClient;
const ports: Record<string, number> = {};
const ids: Record<string, string> = {};

interface DockerEvent {
  component: string;
  action: string;
  /** nanoseconds since the epoch, as Docker records them */
  time: number;
}

/** Container events Docker recorded since `sinceSeconds` for the installation's compose projects. */
async function dockerEvents(sinceSeconds: number, prefix: string): Promise<DockerEvent[]> {
  const { stdout } = await run('docker', ['events', '--since', String(sinceSeconds), '--until', String(Math.ceil(Date.now() / 1000)), '--filter', 'type=container', '--format', '{{json .}}']);
  return stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { Action: string; timeNano: number; Actor: { Attributes: Record<string, string> } })
    .filter((e) => (e.Actor.Attributes['com.docker.compose.project'] ?? '').startsWith(prefix))
    .map((e) => ({ component: (e.Actor.Attributes['com.docker.compose.project'] ?? '').slice(prefix.length), action: e.Action, time: e.timeNano }));
}

async function installation(name: string): Promise<{ id: string; prefix: string }> {
  const id = (await api.post<{ id: string }>('/installations', { customerId: ids.customer, name, environment: 'production', agentKind: 'compose', trackId: ids.track })).body.id;
  const { prefix } = await e2e.startAgent(id, { FLOTILLA_HEALTH_TIMEOUT: '60' });
  return { id, prefix };
}

async function lockedRelease(version: string, apiVersionId: string): Promise<Release> {
  const r = await api.post<Release>(`/tracks/${ids.track}/releases`, {
    version,
    stages: [[{ applicationId: ids.migrator, versionId: ids['migrator@1'] }], [{ applicationId: ids.api, versionId: apiVersionId }], [{ applicationId: ids.web, versionId: ids['web@1'] }]],
  });
  expect(r.status).toBe(201);
  const locked = await api.post<Release>(`/releases/${r.body.id}/lock`);
  expect(locked.body.status).toBe('ready');
  return locked.body;
}

beforeAll(async () => {
  api = e2e.api;
  ids.customer = (await api.post<{ id: string }>('/customers', { name: 'Initech' })).body.id;
  for (const name of ['migrator', 'api', 'web']) {
    ports[name] = await freePort();
    ids[name] = (await api.post<{ id: string }>('/applications', { name, kind: 'compose' })).body.id;
    ids[`${name}@1`] = (await api.post<{ id: string }>(`/applications/${ids[name]}/versions`, { version: '1.0.0', compose: { file: webComposeFile({ image: testImage('v1') }), env: webEnv(ports[name] ?? 0) } })).body.id;
  }
  ids['api@broken'] = (await api.post<{ id: string }>(`/applications/${ids.api}/versions`, { version: '1.1.0-broken', compose: { file: webComposeFile({ image: MISSING_IMAGE }), env: webEnv(ports.api ?? 0) } })).body.id;
  ids.track = (await api.post<{ id: string }>('/tracks', { name: 'Initech Suite', applicationIds: [ids.migrator, ids.api, ids.web] })).body.id;
});

describe('direct deploy of a three-stage release', { timeout: 400_000 }, () => {
  it('runs migrator, then api, then web, each only after the previous stage is healthy', async () => {
    const release = await lockedRelease('1.0.0', ids['api@1'] ?? '');
    const inst = await installation('suite');
    const deployedAt = Math.floor(Date.now() / 1000) - 1;
    const res = await api.post<{ revision: number }>(`/installations/${inst.id}/deploy`, { releaseId: release.id });
    expect(res.status).toBe(202);
    await waitFor(async () => {
      const s = (await api.get<InstallationStatus>(`/installations/${inst.id}/status`)).body;
      return s.health === 'healthy' && s.components.length === 3 && s.runningVersion !== null ? s : undefined;
    }, 300_000, 'all three stages healthy'); // three compose ups in turn: minutes on a busy machine
    for (const name of ['migrator', 'api', 'web']) expect(await fetchServed(ports[name] ?? 0)).toBe('v1');

    // Docker's own event log: each container's start, and its first passing healthcheck.
    const events = await dockerEvents(deployedAt, inst.prefix);
    const at = (component: string, action: string) => events.find((e) => e.component === component && e.action === action)?.time ?? Number.NaN;
    expect(at('api', 'start')).toBeGreaterThanOrEqual(at('migrator', 'health_status: healthy'));
    expect(at('web', 'start')).toBeGreaterThanOrEqual(at('api', 'health_status: healthy'));
    expect(at('migrator', 'start')).toBeLessThan(at('api', 'start'));

    const status = (await api.get<InstallationStatus>(`/installations/${inst.id}/status`)).body;
    expect(status.desiredVersion).toBe('1.0.0');
    const after = (await api.get<Release>(`/releases/${release.id}`)).body;
    expect(after.deployment).not.toBe('none');
    expect((await api.post<{ error: { code: string } }>(`/releases/${release.id}/unlock`)).body).toMatchObject({ status: 'hold' });
  });

  it('a failing stage 2 keeps stage 3 from starting', async () => {
    // The versions bind fixed ports: retire the first installation's agent and containers.
    await e2e.retireAgents();
    const release = await lockedRelease('1.1.0', ids['api@broken'] ?? '');
    const inst = await installation('suite-broken');
    await api.post(`/installations/${inst.id}/deploy`, { releaseId: release.id });
    const failed = await waitFor(async () => {
      const s = (await api.get<InstallationStatus>(`/installations/${inst.id}/status`)).body;
      return s.health === 'failed' ? s : undefined;
    }, 120_000, 'stage 2 to fail');
    expect(failed.components.find((c) => c.name === 'api')?.message ?? '').toMatch(/does-not-exist|pull access denied|not found|repository/i);
    // stage 1 ran; stage 3 never started
    expect((await containersOfProjects(`${inst.prefix}migrator`)).length).toBe(1);
    await new Promise((r) => setTimeout(r, 3000));
    expect(await containersOfProjects(`${inst.prefix}web`)).toEqual([]);
  });

  it('refuses a draft or held release and a release of another track', async () => {
    const inst = (await api.post<{ id: string }>('/installations', { customerId: ids.customer, name: 'no-agent', environment: 'qa', agentKind: 'compose', trackId: ids.track })).body.id;
    const draft = (await api.post<Release>(`/tracks/${ids.track}/releases`, { version: '2.0.0' })).body;
    const d = await api.post<{ error: { code: string; message: string } }>(`/installations/${inst}/deploy`, { releaseId: draft.id });
    expect(d.status).toBe(409);
    expect(d.body.error.message).toContain('lock it first');
    const other = (await api.post<{ id: string }>('/tracks', { name: 'Other' })).body.id;
    const foreign = (await api.post<Release>(`/tracks/${other}/releases`, { version: '1.0.0' })).body;
    expect((await api.post(`/installations/${inst}/deploy`, { releaseId: foreign.id })).status).toBe(400);
  });
});

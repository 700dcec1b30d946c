import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import type { InstallationStatus, Release, Rollout } from '@flotilla/protocol';
import { containersOfProjects, freePort, testImage, webEnv } from '../../agent-compose/test/images.js';
import type { ApiClient } from './api-client.js';
import { useDockerE2e } from './docker-e2e.js';
import { waitFor } from './helpers.js';

/**
 * The installation's configuration reaches the container with the real agent and Docker: an env
 * value and a secret, interpolated into the compose file by `docker compose`, read back from inside
 * the running container, after a direct deploy and again after a rollout with changed values.
 */
const run = promisify(execFile);

const e2e = useDockerE2e({ images: ['v1'] });
let api: ApiClient;
let stateDir = '';
let prefix = '';
const ids: Record<string, string> = {};

/** The web test image with two more variables, each interpolated from the environment compose runs in. */
function composeFile(): string {
  return [
    'services:',
    '  web:',
    `    image: ${testImage('v1')}`,
    '    network_mode: host',
    '    restart: "unless-stopped"',
    '    environment:',
    '      PORT: "${PORT}"',
    '      GREETING: "${GREETING}"',
    '      DB_PASSWORD: "${DB_PASSWORD}"',
    '    healthcheck:',
    '      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:${PORT}/"]',
    '      interval: 1s',
    '      timeout: 2s',
    '      retries: 2',
    '',
  ].join('\n');
}

/** What the running container sees: its own environment, from inside. */
async function containerEnv(name: string): Promise<string> {
  const [id] = await containersOfProjects(`${prefix}web`);
  if (!id) return '';
  const { stdout } = await run('docker', ['exec', id, 'sh', '-c', `echo "$${name}"`]);
  return stdout.trim();
}

/** Every file the agent keeps (state file, components' compose files and .env): none may hold a secret. */
async function agentFiles(): Promise<string> {
  const dir = stateDir;
  const out: string[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) out.push(await readFile(path.join(entry.parentPath, entry.name), 'utf8'));
  }
  return out.join('\n');
}

beforeAll(async () => {
  api = e2e.api;
  const port = await freePort();
  ids.customer = (await api.post<{ id: string }>('/customers', { name: 'Initech' })).body.id;
  ids.app = (await api.post<{ id: string }>('/applications', { name: 'web', kind: 'compose' })).body.id;
  ids.version = (await api.post<{ id: string }>(`/applications/${ids.app}/versions`, { version: '1.0.0', compose: { file: composeFile(), env: webEnv(port) } })).body.id;
  ids.track = (await api.post<{ id: string }>('/tracks', { name: 'Suite', applicationIds: [ids.app] })).body.id;
  const release = await api.post<Release>(`/tracks/${ids.track}/releases`, { version: '1.0.0', stages: [[{ applicationId: ids.app, versionId: ids.version }]] });
  ids.release = release.body.id;
  expect((await api.post<Release>(`/releases/${ids.release}/lock`)).body.status).toBe('ready');
  expect((await api.post('/entitlements', { customerId: ids.customer, trackId: ids.track })).status).toBe(201);
  ids.installation = (await api.post<{ id: string }>('/installations', { customerId: ids.customer, name: 'main', environment: 'production', agentKind: 'compose', trackId: ids.track })).body.id;
  ({ prefix, stateDir } = await e2e.startAgent(ids.installation, { FLOTILLA_HEALTH_TIMEOUT: '60' }));
}, 180_000);

const healthyAt = (revision: number) =>
  waitFor(async () => {
    const s = (await api.get<InstallationStatus>(`/installations/${ids.installation}/status`)).body;
    return s.appliedRevision >= revision && s.health === 'healthy' ? s : undefined;
  }, 240_000, `revision ${revision} applied and healthy`);

describe('installation configuration on a real compose agent', { timeout: 400_000 }, () => {
  it('a direct deploy gives the container the env value and the secret', async () => {
    const put = await api.call('PUT', `/installations/${ids.installation}/config`, { components: { web: { env: { GREETING: 'hello-from-deploy' }, secrets: { DB_PASSWORD: 'deploy-s3cret' } } } });
    expect(put.status).toBe(200);
    const deployed = await api.post<{ revision: number }>(`/installations/${ids.installation}/deploy`, { versionId: ids.version });
    expect(deployed.status).toBe(202);
    await healthyAt(deployed.body.revision);
    expect(await containerEnv('GREETING')).toBe('hello-from-deploy');
    expect(await containerEnv('DB_PASSWORD')).toBe('deploy-s3cret');
    // The agent gave compose the secret as process environment: nothing it wrote holds it, nor its log.
    const files = await agentFiles();
    expect(files).toContain('hello-from-deploy'); // the state file does keep plain values
    expect(files).not.toContain('deploy-s3cret');
    expect(e2e.agentLog()).not.toContain('deploy-s3cret');
  });

  it('a rollout stage carries changed values to the container', async () => {
    const put = await api.call('PUT', `/installations/${ids.installation}/config`, { components: { web: { env: { GREETING: 'hello-from-rollout' }, secrets: { DB_PASSWORD: 'rollout-s3cret' } } } });
    expect(put.status).toBe(200);
    const created = await api.post<Rollout>('/rollouts', { releaseId: ids.release, targets: { installationIds: [ids.installation] }, strategy: { respectMaintenanceWindows: false } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await waitFor(async () => ((await api.get<Rollout>(`/rollouts/${created.body.id}`)).body.status === 'completed' ? true : undefined), 240_000, 'the rollout to complete');
    await waitFor(async () => ((await containerEnv('GREETING')) === 'hello-from-rollout' ? true : undefined), 60_000, 'the recreated container');
    expect(await containerEnv('DB_PASSWORD')).toBe('rollout-s3cret');
    expect(await agentFiles()).not.toContain('rollout-s3cret');
    expect(e2e.agentLog()).not.toContain('rollout-s3cret');
  });
});

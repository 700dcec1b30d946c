import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BundleManifest, REDACTED, type InstallationStatus, type SupportBundle, type SupportBundleDetail } from '@flotilla/protocol';
import { testImage } from '../../agent-compose/test/images.js';
import type { ApiClient } from './api-client.js';
import { useDockerE2e } from './docker-e2e.js';
import { waitFor } from './helpers.js';

/**
 * Support bundle end to end: the real flotilla-agent-compose runs a container whose environment holds
 * a password-like variable (redacted by its key) and a per-installation secret (set with
 * `PUT /installations/:id/config`, sent only to the agent; its key matches no pattern); the container prints both. The bundle is asked for
 * over REST, collected and streamed by the agent, downloaded, unpacked with tar, and neither value
 * appears in any file, while redaction markers and ordinary values do.
 */
const execFileAsync = promisify(execFile);

const DB_PASSWORD = 'pw-Sup3rSecret-771';
const LICENSE_CODE = 'LIC-7a9b-c0ffee-4242';
const COMPOSE = `services:
  app:
    image: ${testImage('v1')}
    network_mode: host
    environment:
      DB_PASSWORD: \${DB_PASSWORD}
      LICENSE_CODE: \${LICENSE_CODE}
      GREETING: hello-visible
    command: ["/bin/sh", "-c", "trap 'exit 0' TERM; echo booting with license $$LICENSE_CODE and db $$DB_PASSWORD; echo greeting $$GREETING; while true; do sleep 1; done"]
`;

const e2e = useDockerE2e({ images: ['v1'] });
let api: ApiClient;
let workDir: string;

beforeAll(async () => {
  api = e2e.api;
  workDir = await mkdtemp(path.join(tmpdir(), 'flotilla-bundle-out-'));
});

afterAll(async () => {
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

async function filesUnder(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await filesUnder(path.join(dir, entry.name), rel)));
    else out.push(rel);
  }
  return out.sort();
}

describe('support bundle end to end', { timeout: 240_000 }, () => {
  it('is collected by the real compose agent, downloaded, unpacked and found redacted', async () => {
    const app = await api.post<{ id: string }>('/applications', { name: 'app', kind: 'compose' });
    const version = await api.post<{ id: string }>(`/applications/${app.body.id}/versions`, {
      version: '1.0.0',
      compose: { file: COMPOSE, env: `DB_PASSWORD=${DB_PASSWORD}\n` },
    });
    expect(version.status).toBe(201);
    const customer = await api.post<{ id: string }>('/customers', { name: 'Globex' });
    const installationId = (await api.post<{ id: string }>('/installations', { customerId: customer.body.id, name: 'Globex Plant', environment: 'production', agentKind: 'compose' })).body.id;
    // The per-installation secret, set as a customer's vendor would: write-only, sent only to the agent.
    expect((await api.call('PUT', `/installations/${installationId}/config`, { components: { app: { secrets: { LICENSE_CODE } } } })).status).toBe(200);
    const { prefix: projectPrefix } = await e2e.startAgent(installationId);
    expect((await api.post(`/installations/${installationId}/deploy`, { versionId: version.body.id })).status).toBe(202);
    await waitFor(async () => ((await api.get<InstallationStatus>(`/installations/${installationId}/status`)).body.health === 'healthy' ? true : undefined), 90_000, 'app healthy');

    const asked = await api.post<SupportBundle>(`/installations/${installationId}/support-bundles`, { logLines: 50 });
    expect(asked.status).toBe(202);
    const ready = await waitFor(async () => {
      const b = (await api.get<SupportBundleDetail>(`/support-bundles/${asked.body.id}`)).body;
      if (b.status === 'failed') throw new Error(`bundle failed: ${b.message}`);
      return b.status === 'ready' ? b : undefined;
    }, 60_000, 'bundle ready');
    expect(ready.bytes).toBeGreaterThan(500);

    // Download as a person would, and unpack with tar.
    const res = await fetch(`${e2e.hub.url}/api/v1/support-bundles/${asked.body.id}/download`, { headers: { cookie: api.sessionCookie ?? '' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/gzip');
    const archive = path.join(workDir, 'bundle.tar.gz');
    await writeFile(archive, Buffer.from(await res.arrayBuffer()));
    await execFileAsync('tar', ['-xzf', archive, '-C', workDir]);
    const root = (await readdir(workDir)).filter((n) => n !== 'bundle.tar.gz');
    expect(root).toEqual([`support-bundle-${asked.body.id.slice(0, 8)}`]);
    const dir = path.join(workDir, root[0] as string);

    const files = await filesUnder(dir);
    const manifest = BundleManifest.parse(JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')));
    expect(manifest).toMatchObject({ bundleId: asked.body.id, installationId, agentKind: 'compose', logLines: 50, problems: [] });
    expect(ready.manifest).toEqual(manifest); // the hub shows exactly what was collected
    expect(files).toEqual(['manifest.json', ...manifest.files.map((f) => f.path)].sort());
    expect(files).toEqual(expect.arrayContaining(['agent/state.json', 'agent/statuses.json', 'host/facts.json', 'runtime/docker-version.json', 'runtime/app/inspect.json', 'logs/app.log']));
    // `compose ps`: JSON from the compose plugin, a table from docker-compose v1.
    const ps = files.find((f) => f.startsWith('runtime/app/compose-ps.'));
    expect(ps).toMatch(/^runtime\/app\/compose-ps\.(json|txt)$/);

    const contents = new Map<string, string>();
    for (const f of files) contents.set(f, await readFile(path.join(dir, f), 'utf8'));
    for (const [file, text] of contents) {
      expect(text, `${file} leaks the password`).not.toContain(DB_PASSWORD);
      expect(text, `${file} leaks the per-installation secret`).not.toContain(LICENSE_CODE);
    }
    for (const f of manifest.files) expect(f.bytes, f.path).toBe(Buffer.byteLength(contents.get(f.path) ?? ''));

    const log = contents.get('logs/app.log') ?? '';
    expect(log).toContain(`booting with license ${REDACTED} and db ${REDACTED}`);
    expect(log).toContain('greeting hello-visible');
    expect(manifest.files.find((f) => f.path === 'logs/app.log')?.redactions).toBe(2);
    const inspect = contents.get('runtime/app/inspect.json') ?? '';
    expect(inspect).toContain(`"DB_PASSWORD=${REDACTED}"`);
    expect(inspect).toContain(`"LICENSE_CODE=${REDACTED}"`);
    expect(inspect).toContain('"GREETING=hello-visible"');
    expect(contents.get('agent/state.json')).toContain(REDACTED);
    const facts = JSON.parse(contents.get('host/facts.json') ?? '{}') as { cpus: number; memoryTotalBytes: number; agentVersion: string; disk: { totalBytes: number }; runtime: string };
    expect(facts.cpus).toBeGreaterThan(0);
    expect(facts.memoryTotalBytes).toBeGreaterThan(0);
    expect(facts.disk.totalBytes).toBeGreaterThan(0);
    expect(facts.runtime).toMatch(/docker/);
    expect(facts.agentVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(contents.get(ps ?? '')).toContain(`${projectPrefix}app`);
  });
});

import type { ChildProcess } from 'node:child_process';
import { createPublicKey, verify } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentCredentials, License, LicensePublicKey } from '@flotilla/protocol';
import { assertDockerAvailable, ensureTestImages, freePort, removeProjects, testImage, webEnv } from '../../agent-compose/test/images.js';
import { ApiClient } from './api-client.js';
import { startAgentProcess } from './agent-process.js';
import { createTestDatabase, randomSuffix, startTestHub, waitFor, type TestDatabase, type TestHub } from './helpers.js';

/**
 * The license reaches the application on Docker: the real `flotilla-agent-compose` writes it to
 * `$FLOTILLA_LICENSE_DIR/license`, the vendor's compose file mounts that folder into the service
 * (here busybox httpd serves it), and a license the vendor replaces is what the running service
 * reads next, without a redeploy.
 */
const COMPOSE = [
  'services:',
  '  web:',
  `    image: ${testImage('v1')}`,
  '    network_mode: host',
  '    restart: unless-stopped',
  '    environment:',
  '      PORT: "${PORT}"',
  '    volumes:',
  '      - ${FLOTILLA_LICENSE_DIR}:/www/license:ro',
  '',
].join('\n');

let tdb: TestDatabase;
let hub: TestHub;
let api: ApiClient;
let stateDir: string;
let agent: ChildProcess | undefined;
let agentLog = '';
let port: number;
let projectPrefix = '';
const ids: Record<string, string> = {};

const licenseFile = () => path.join(stateDir, 'license', 'license');
const onDisk = () => readFile(licenseFile(), 'utf8').catch(() => undefined);
/** What the running service reads from its mounted license folder. */
async function served(): Promise<string | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/license/license`, { signal: AbortSignal.timeout(2000) });
    return res.ok ? await res.text() : undefined;
  } catch {
    return undefined;
  }
}

beforeAll(async () => {
  await assertDockerAvailable();
  await ensureTestImages(['v1']);
  tdb = await createTestDatabase();
  const hubPort = await freePort();
  hub = await startTestHub({ databaseUrl: tdb.url, port: hubPort, publicUrl: `http://127.0.0.1:${hubPort}` });
  api = new ApiClient(hub.url);
  ids.vendor = (await api.signup(randomSuffix())).vendorId;
  stateDir = await mkdtemp(path.join(tmpdir(), 'flotilla-license-agent-'));
  port = await freePort();
  const app = await api.post<{ id: string }>('/applications', { name: 'web', kind: 'compose' });
  ids.version = (await api.post<{ id: string }>(`/applications/${app.body.id}/versions`, { version: 'v1', compose: { file: COMPOSE, env: webEnv(port) } })).body.id;
  ids.customer = (await api.post<{ id: string }>('/customers', { name: 'Globex' })).body.id;
  ids.installation = (await api.post<{ id: string }>('/installations', { customerId: ids.customer, name: 'docker-host', environment: 'production', agentKind: 'compose' })).body.id;
  projectPrefix = `flt-${ids.installation.slice(0, 8)}-`;
});

afterAll(async () => {
  if (agent && agent.exitCode === null) {
    const exited = new Promise((r) => agent?.once('exit', r));
    agent.kill('SIGKILL');
    await exited;
  }
  if (projectPrefix) await removeProjects(projectPrefix);
  await hub?.close();
  await tdb?.drop();
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

describe('license on a Docker host', () => {
  it('the agent writes the license, the service reads it, and a replaced license replaces it live', { timeout: 180_000 }, async () => {
    try {
      const first = await api.post<License>('/licenses', { customerId: ids.customer, expiresAt: '2099-01-01T00:00:00Z', customFields: { seats: 10 } });
      expect(first.status).toBe(201);
      const creds = (await api.post<AgentCredentials>(`/installations/${ids.installation}/agent-credentials`)).body;
      agent = startAgentProcess(hub.url, creds, stateDir, (text) => (agentLog += text), { FLOTILLA_LOG_LEVEL: 'debug' });
      // Handed over with the hello.
      await waitFor(async () => (await onDisk()) === first.body.license, 60_000);

      expect((await api.post(`/installations/${ids.installation}/deploy`, { versionId: ids.version })).status).toBe(202);
      await waitFor(async () => (await served()) === first.body.license, 90_000);

      const replaced = await api.post<License>(`/licenses/${first.body.id}/replace`, { customFields: { seats: 25 } });
      expect(replaced.status).toBe(201);
      await waitFor(async () => (await onDisk()) === replaced.body.license, 30_000);
      // The running container sees the new file through its mounted folder.
      await waitFor(async () => (await served()) === replaced.body.license, 30_000);

      // What the application got verifies with node:crypto and the vendor's public key alone.
      const key = (await new ApiClient(hub.url).get<LicensePublicKey>(`/license-keys/${ids.vendor}`)).body.publicKey;
      const text = (await served()) ?? '';
      const [payload = '', signature = ''] = text.split('.');
      expect(verify(null, Buffer.from(payload), createPublicKey(key), Buffer.from(signature, 'base64url'))).toBe(true);
      expect(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))).toMatchObject({ customer: 'Globex', customFields: { seats: 25 } });

      expect((await api.post(`/licenses/${replaced.body.id}/revoke`)).status).toBe(200);
      await waitFor(async () => (await onDisk()) === undefined, 30_000);
    } catch (err) {
      process.stderr.write(`--- agent log (last 6 kB) ---\n${agentLog.slice(-6000)}\n`);
      throw err;
    }
  });
});

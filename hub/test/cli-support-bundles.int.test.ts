import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BundleManifest, SupportBundle } from '@flotilla/protocol';
import { ApiClient, deployedInstallation } from './api-client.js';
import { jsonOf, runFlotilla } from './cli-process.js';
import { createTestDatabase, randomSuffix, startTestHub, type TestDatabase, type TestHub } from './helpers.js';
import { connectAgent, host, type AgentSocket } from './sim-agent.js';

/** `flotilla support-bundle create|list|download`, the built CLI against a real hub and a simulated agent. */
let tdb: TestDatabase;
let hub: TestHub;
let dir: string;
let agent: AgentSocket | undefined;

beforeAll(async () => {
  tdb = await createTestDatabase();
  hub = await startTestHub({ databaseUrl: tdb.url });
  dir = await mkdtemp(path.join(tmpdir(), 'flotilla-cli-bundles-'));
}, 60_000);

afterAll(async () => {
  agent?.disconnect();
  await hub?.close();
  await tdb?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('flotilla support-bundle', { timeout: 120_000 }, () => {
  it('creates a bundle and waits for it, lists it, and downloads the archive the agent sent', async () => {
    const api = new ApiClient(hub.url);
    await api.signup(randomSuffix());
    const { installationId, creds } = await deployedInstallation(api);
    const ci = { FLOTILLA_URL: hub.url, FLOTILLA_TOKEN: (await api.post<{ token: string }>('/tokens', { name: 'ci', role: 'release-manager' })).body.token, HOME: dir, FLOTILLA_CONFIG: path.join(dir, 'none.json') };

    const archive = randomBytes(300_000);
    agent = await connectAgent(hub.url, creds.agentId, creds.secret);
    const sim = agent;
    sim.on('bundle:collect', (request, ack) => {
      ack({ accepted: true });
      void (async () => {
        const chunks = [archive.subarray(0, 150_000), archive.subarray(150_000)];
        for (const [seq, data] of chunks.entries()) await sim.emitWithAck('bundle:chunk', { bundleId: request.bundleId, seq, data: data.toString('base64') });
        const manifest: BundleManifest = { bundleId: request.bundleId, installationId, createdAt: new Date().toISOString(), agentKind: 'compose', agentVersion: '0.1.0-test', logLines: request.logLines, redactPatterns: request.redactPatterns, secretValues: 0, files: [], problems: [] };
        await sim.emitWithAck('bundle:end', { bundleId: request.bundleId, sha256: createHash('sha256').update(archive).digest('hex'), bytes: archive.length, chunks: 2, manifest });
      })();
    });
    await sim.emitWithAck('agent:hello', { host, appliedRevision: 1, components: [] });

    const created = await runFlotilla(['support-bundle', 'create', 'Acme/edge-1', '--log-lines', '50', '--wait', '--output', 'json'], ci);
    expect(created.code, created.stderr).toBe(0);
    const bundle = jsonOf<SupportBundle>(created);
    expect(bundle).toMatchObject({ installationId, status: 'ready', logLines: 50, bytes: archive.length });

    const listed = await runFlotilla(['support-bundle', 'list', installationId], ci);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain(bundle.id);
    expect(listed.stdout).toContain('ready');

    const file = path.join(dir, 'bundle.tar.gz');
    const downloaded = await runFlotilla(['support-bundle', 'download', bundle.id, '--file', file], ci);
    expect(downloaded.code, downloaded.stderr).toBe(0);
    expect(downloaded.stdout).toContain(`Saved ${archive.length} bytes to ${file}`);
    expect((await readFile(file)).equals(archive)).toBe(true);

    // A viewer's token may list but not download; the refusal says which scope is needed.
    const viewer = { ...ci, FLOTILLA_TOKEN: (await api.post<{ token: string }>('/tokens', { name: 'ro', role: 'viewer' })).body.token };
    const refused = await runFlotilla(['support-bundle', 'download', bundle.id, '--file', path.join(dir, 'no.tar.gz')], viewer);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('FORBIDDEN');
  });
});

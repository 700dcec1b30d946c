import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentCredentials, FleetSummary, InstallationStatus, Release, Rollout } from '@flotilla/protocol';
import { createDatabase } from '../src/infra/database.js';
import { ApiClient } from './api-client.js';
import { createTestDatabase, randomSuffix, startTestHub, waitFor, type TestDatabase, type TestHub } from './helpers.js';
import { host } from './sim-agent.js';
import { simAgent, type SimAgent } from './sim-fleet.js';

/**
 * Truthful versions: a two-component release deployed to a simulated agent that reports both
 * components runs the release's version without drift; a component at another version is drift.
 */

let tdb: TestDatabase;
let hub: TestHub;
let api: ApiClient;
const ids: Record<string, string> = {};
const agents: SimAgent[] = [];
const file = (n: string) => `services:\n  ${n}:\n    image: sim/${n}:1\n`;

beforeAll(async () => {
  tdb = await createTestDatabase();
  hub = await startTestHub({ databaseUrl: tdb.url });
  api = new ApiClient(hub.url);
  await api.signup(randomSuffix());
  const stages: { applicationId: string; versionId: string }[][] = [];
  for (const [name, version] of [['api', '2.0.0'], ['web', '3.1.0']] as const) {
    const app = (await api.post<{ id: string }>('/applications', { name, kind: 'compose' })).body.id;
    ids[name] = app;
    ids[`${name}@${version}`] = (await api.post<{ id: string }>(`/applications/${app}/versions`, { version, compose: { file: file(name) } })).body.id;
    stages.push([{ applicationId: app, versionId: ids[`${name}@${version}`] ?? '' }]);
  }
  ids.track = (await api.post<{ id: string }>('/tracks', { name: 'Platform', applicationIds: [ids.api, ids.web] })).body.id;
  ids.release = (await api.post<Release>(`/tracks/${ids.track}/releases`, { version: '1.1.0', stages })).body.id;
  expect((await api.post(`/releases/${ids.release}/lock`)).status).toBe(200);
  ids.customer = (await api.post<{ id: string }>('/customers', { name: 'Acme' })).body.id;
  expect((await api.post('/entitlements', { customerId: ids.customer, trackId: ids.track })).status).toBe(201);
});

afterAll(async () => {
  for (const a of agents) a.socket.disconnect();
  await hub.close();
  await tdb.drop();
});

async function connected(name: string): Promise<{ id: string; agent: SimAgent }> {
  const id = (await api.post<{ id: string }>('/installations', { customerId: ids.customer, name, environment: 'prod', agentKind: 'compose', trackId: ids.track })).body.id;
  const creds = (await api.post<AgentCredentials>(`/installations/${id}/agent-credentials`)).body;
  const agent = await simAgent(hub.url, id, creds.agentId, creds.secret);
  agents.push(agent);
  return { id, agent };
}

const status = async (id: string) => (await api.get<InstallationStatus>(`/installations/${id}/status`)).body;
const fleetEntry = async (id: string) => (await api.get<FleetSummary>('/fleet/summary')).body.installations.find((i) => i.id === id);

describe('versions in the status', () => {
  it('a converged two-component release: no drift, running the release version, desired version per component, the host', async () => {
    const { id } = await connected('converged');
    expect((await api.post(`/installations/${id}/deploy`, { releaseId: ids.release })).status).toBe(202);
    const s = await waitFor(async () => {
      const x = await status(id);
      return x.appliedRevision === x.desiredRevision && x.desiredRevision > 0 && x.components.length === 2 ? x : undefined;
    }, 10_000, 'the agent to converge');
    expect(s.versionDrift).toEqual([]);
    expect(s.desiredVersion).toBe('1.1.0');
    expect(s.runningVersion).toBe('1.1.0');
    expect(s.components.map((c) => [c.name, c.version, c.desiredVersion])).toEqual([
      ['api', '2.0.0', '2.0.0'],
      ['web', '3.1.0', '3.1.0'],
    ]);
    expect(s.host).toEqual(host);
    // The list and the single installation say the same.
    const listed = (await api.get<{ items: { id: string; status: InstallationStatus }[] }>('/installations')).body.items.find((i) => i.id === id);
    expect(listed?.status.versionDrift).toEqual([]);
    expect(listed?.status.runningVersion).toBe('1.1.0');
    expect(await fleetEntry(id)).toMatchObject({ version: '1.1.0', latestVersion: '1.1.0', releasesBehind: 0 });
  });

  it('one component at another version: drift for it, running the reported versions, no release in the fleet summary', async () => {
    const { id, agent } = await connected('drifting');
    expect((await api.post(`/installations/${id}/deploy`, { releaseId: ids.release })).status).toBe(202);
    const applied = await waitFor(async () => {
      const x = await status(id);
      return x.appliedRevision === x.desiredRevision && x.desiredRevision > 0 ? x : undefined;
    }, 10_000, 'the agent to converge');
    // The agent now reports web at another version (someone changed it by hand).
    const since = new Date().toISOString();
    await agent.socket.emitWithAck('status:report', {
      revision: applied.appliedRevision,
      components: [
        { name: 'api', version: '2.0.0', health: 'healthy', since },
        { name: 'web', version: '3.0.9', health: 'healthy', since },
      ],
    });
    const s = await waitFor(async () => {
      const x = await status(id);
      return x.versionDrift.length > 0 ? x : undefined;
    }, 10_000, 'the drift to show');
    expect(s.versionDrift).toEqual([{ component: 'web', desired: '3.1.0', running: '3.0.9' }]);
    expect(s.runningVersion).toBe('api@2.0.0, web@3.0.9');
    expect(s.components.find((c) => c.name === 'web')).toMatchObject({ version: '3.0.9', desiredVersion: '3.1.0' });
    expect(await fleetEntry(id)).toMatchObject({ version: null, releasesBehind: null });
  });

  it('a rollout to the agent converges to the release version, and marks the release versions as deployed for good', async () => {
    // A release of its own, deployed by nothing but the rollout.
    const vids: Record<string, string> = {};
    for (const [name, version] of [['api', '2.1.0'], ['web', '3.2.0']] as const) {
      vids[name] = (await api.post<{ id: string }>(`/applications/${ids[name]}/versions`, { version, compose: { file: file(name) } })).body.id;
    }
    const stages = (['api', 'web'] as const).map((n) => [{ applicationId: ids[n] ?? '', versionId: vids[n] ?? '' }]);
    const release = (await api.post<Release>(`/tracks/${ids.track}/releases`, { version: '1.2.0', stages })).body.id;
    expect((await api.post(`/releases/${release}/lock`)).status).toBe(200);
    const { id } = await connected('rolled');
    const res = await api.post<Rollout>('/rollouts', { releaseId: release, targets: { installationIds: [id] }, strategy: { respectMaintenanceWindows: false } });
    expect(res.status).toBe(201);
    await waitFor(async () => ((await api.get<Rollout>(`/rollouts/${res.body.id}`)).body.status === 'completed' ? true : undefined), 30_000, 'the rollout to complete');
    const s = await waitFor(async () => {
      const x = await status(id);
      return x.runningVersion === '1.2.0' ? x : undefined;
    }, 10_000, 'the release to run');
    expect(s.versionDrift).toEqual([]);
    expect(await fleetEntry(id)).toMatchObject({ version: '1.2.0', releasesBehind: 0 });
    // Deployed for good (in use even once no release pins them), recorded by the rollout's stages.
    const db = createDatabase(tdb.url);
    try {
      const rows: { id: string; first_deployed_at: Date | null }[] = await db('application_versions').whereIn('id', Object.values(vids)).select('id', 'first_deployed_at');
      expect(rows).toHaveLength(2);
      for (const r of rows) expect(r.first_deployed_at).toBeInstanceOf(Date);
    } finally {
      await db.destroy();
    }
  });
});

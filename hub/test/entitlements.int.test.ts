import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentCredentials, FleetSummary, Release } from '@flotilla/protocol';
import { ApiClient, COMPOSE_V1 } from './api-client.js';
import { createTestDatabase, randomSuffix, startTestHub, waitFor, type TestDatabase, type TestHub } from './helpers.js';
import { simAgent, type SimAgent } from './sim-fleet.js';

let tdb: TestDatabase;
let hub: TestHub;
let vendor: ApiClient;
let entitledAdmin: ApiClient;
let outsiderAdmin: ApiClient;
const ids: Record<string, string> = {};
type Err = { error: { code: string; message: string } };

async function customerAdmin(customerId: string): Promise<ApiClient> {
  const inv = await vendor.post<{ inviteUrl: string }>('/invites', { email: `c-${randomSuffix()}@example.com`, role: 'admin', customerId });
  const client = new ApiClient(hub.url);
  expect((await client.post(`/invites/${inv.body.inviteUrl.split('/').pop() ?? ''}/accept`, { name: 'Cust', password: 'a long enough password' })).status).toBe(200);
  return client;
}

async function ready(version: string): Promise<string> {
  const r = await vendor.post<Release>(`/tracks/${ids.track}/releases`, { version, stages: [[{ applicationId: ids.app, versionId: ids.v1 }]] });
  expect((await vendor.post(`/releases/${r.body.id}/lock`)).status).toBe(200);
  return r.body.id;
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  hub = await startTestHub({ databaseUrl: tdb.url });
  vendor = new ApiClient(hub.url);
  await vendor.signup(randomSuffix());
  ids.app = (await vendor.post<{ id: string }>('/applications', { name: 'shop', kind: 'compose' })).body.id;
  ids.v1 = (await vendor.post<{ id: string }>(`/applications/${ids.app}/versions`, { version: '1.0.0', compose: { file: COMPOSE_V1 } })).body.id;
  ids.track = (await vendor.post<{ id: string }>('/tracks', { name: 'Shop', applicationIds: [ids.app] })).body.id;
  for (const v of ['1.0.0', '1.1.0', '2.0.0']) ids[`r${v}`] = await ready(v);
  ids.draft = (await vendor.post<{ id: string }>(`/tracks/${ids.track}/releases`, { version: '2.1.0' })).body.id;
  ids.entitled = (await vendor.post<{ id: string }>('/customers', { name: 'Entitled' })).body.id;
  ids.outsider = (await vendor.post<{ id: string }>('/customers', { name: 'Outsider' })).body.id;
  for (const c of ['entitled', 'outsider']) {
    ids[`inst-${c}`] = (await vendor.post<{ id: string }>('/installations', { customerId: ids[c], name: 'main', environment: 'prod', agentKind: 'compose', trackId: ids.track })).body.id;
  }
  const e = await vendor.post<{ id: string }>('/entitlements', { customerId: ids.entitled, trackId: ids.track, versionRange: '<2.0.0' });
  expect(e.status).toBe(201);
  ids.entitlement = e.body.id;
  entitledAdmin = await customerAdmin(ids.entitled ?? '');
  outsiderAdmin = await customerAdmin(ids.outsider ?? '');
});

let agent: SimAgent | undefined;

afterAll(async () => {
  agent?.socket.disconnect();
  await hub.close();
  await tdb.drop();
});

describe('entitlements', () => {
  it('validate the range and refuse a duplicate', async () => {
    expect((await vendor.post<Err>('/entitlements', { customerId: ids.outsider, trackId: ids.track, versionRange: 'newest please' })).body.error.message).toContain('not a semver range');
    expect((await vendor.post<Err>('/entitlements', { customerId: ids.entitled, trackId: ids.track })).status).toBe(409);
  });

  it('a customer sees only entitled tracks and ready releases inside its range', async () => {
    expect((await entitledAdmin.get<{ items: { id: string }[] }>('/tracks')).body.items.map((t) => t.id)).toEqual([ids.track]);
    const releases = await entitledAdmin.get<{ items: Release[] }>(`/tracks/${ids.track}/releases`);
    expect(releases.body.items.map((r) => r.version)).toEqual(['1.1.0', '1.0.0']);
    expect((await entitledAdmin.get(`/releases/${ids['r2.0.0']}`)).status).toBe(404);
    expect((await entitledAdmin.get(`/releases/${ids.draft}`)).status).toBe(404);
    expect((await entitledAdmin.get(`/releases/${ids['r1.1.0']}`)).status).toBe(200);
  });

  it('a customer without the track sees nothing and cannot deploy', async () => {
    expect((await outsiderAdmin.get<{ items: unknown[] }>('/tracks')).body.items).toEqual([]);
    expect((await outsiderAdmin.get(`/tracks/${ids.track}`)).status).toBe(404);
    expect((await outsiderAdmin.get(`/releases/${ids['r1.0.0']}`)).status).toBe(404);
    const deploy = await outsiderAdmin.post<Err>(`/installations/${ids['inst-outsider']}/deploy`, { releaseId: ids['r1.0.0'] });
    expect(deploy.status).toBe(400);
    expect((await outsiderAdmin.get<{ items: unknown[] }>(`/installations/${ids['inst-outsider']}/updates`)).body.items).toEqual([]);
  });

  it('an entitled customer deploys inside its range but not outside it, nor a single version', async () => {
    expect((await entitledAdmin.post<Err>(`/installations/${ids['inst-entitled']}/deploy`, { releaseId: ids['r2.0.0'] })).status).toBe(400);
    expect((await entitledAdmin.post<Err>(`/installations/${ids['inst-entitled']}/deploy`, { versionId: ids.v1 })).status).toBe(403);
    expect((await entitledAdmin.post<{ revision: number }>(`/installations/${ids['inst-entitled']}/deploy`, { releaseId: ids['r1.0.0'] })).status).toBe(202);
    const updates = await entitledAdmin.get<{ currentVersion: string; items: Release[] }>(`/installations/${ids['inst-entitled']}/updates`);
    expect(updates.body.currentVersion).toBe('1.0.0');
    expect(updates.body.items.map((r) => r.version)).toEqual(['1.1.0']);
  });

  it('an expired entitlement hides everything again', async () => {
    expect((await vendor.call('PATCH', `/entitlements/${ids.entitlement}`, { expiresAt: new Date(Date.now() - 1000).toISOString() })).status).toBe(200);
    expect((await entitledAdmin.get<{ items: unknown[] }>('/tracks')).body.items).toEqual([]);
    expect((await entitledAdmin.post(`/installations/${ids['inst-entitled']}/deploy`, { releaseId: ids['r1.1.0'] })).status).toBe(400);
    await vendor.call('PATCH', `/entitlements/${ids.entitlement}`, { expiresAt: null });
  });
});

describe('fleet summary', () => {
  it('shows each installation’s version, releases behind the latest and version age', async () => {
    // Deployed, but no agent applied it yet: it runs no known release.
    const before = await vendor.get<FleetSummary>('/fleet/summary');
    expect(before.body.installations.find((i) => i.id === ids['inst-entitled'])).toMatchObject({ version: null, releasesBehind: null });
    const creds = (await vendor.post<AgentCredentials>(`/installations/${ids['inst-entitled']}/agent-credentials`)).body;
    agent = await simAgent(hub.url, ids['inst-entitled'] ?? '', creds.agentId, creds.secret);
    const s = await waitFor(async () => {
      const x = await vendor.get<FleetSummary>('/fleet/summary');
      return x.body.installations.find((i) => i.id === ids['inst-entitled'])?.version ? x : undefined;
    }, 10_000, 'the agent to run the release');
    expect(s.status).toBe(200);
    expect(s.body.total).toBe(2);
    const entitled = s.body.installations.find((i) => i.id === ids['inst-entitled']);
    expect(entitled).toMatchObject({ version: '1.0.0', latestVersion: '2.0.0', releasesBehind: 2 });
    expect(entitled?.versionAgeDays).toBeGreaterThanOrEqual(0);
    expect(s.body.installations.find((i) => i.id === ids['inst-outsider'])).toMatchObject({ version: null, releasesBehind: null });
    expect(s.body.byVersion).toEqual(expect.arrayContaining([expect.objectContaining({ version: '1.0.0', count: 1 })]));
    const mine = await entitledAdmin.get<FleetSummary>('/fleet/summary');
    expect(mine.body.installations.map((i) => i.id)).toEqual([ids['inst-entitled']]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentCredentials, Installation } from '@flotilla/protocol';
import { ApiClient } from './api-client.js';
import { createTestDatabase, randomSuffix, startTestHub, type TestDatabase, type TestHub } from './helpers.js';

/**
 * An installation's life at the hub: its track changed and cleared, the hub URL its agent is told
 * (and whether the operator set it), live `installation:changed` / `installation:removed`, and
 * uninstall through its agent (a simulated one).
 */

type Err = { error: { code: string; message: string } };

let tdb: TestDatabase;
let hub: TestHub;
let api: ApiClient;
let customerId: string;

beforeAll(async () => {
  tdb = await createTestDatabase();
  hub = await startTestHub({ databaseUrl: tdb.url, publicUrl: 'https://hub.example.com' });
  api = new ApiClient(hub.url);
  await api.signup(randomSuffix());
  customerId = (await api.post<{ id: string }>('/customers', { name: `Acme ${randomSuffix()}` })).body.id;
});

afterAll(async () => {
  await hub.close();
  await tdb.drop();
});

async function createInstallation(body: Record<string, unknown> = {}): Promise<Installation> {
  const res = await api.post<Installation>('/installations', { customerId, name: `i-${randomSuffix()}`, environment: 'production', agentKind: 'compose', ...body });
  expect(res.status).toBe(201);
  return res.body;
}

async function createTrack(name: string): Promise<string> {
  const app = (await api.post<{ id: string }>('/applications', { name: `App ${randomSuffix()}`, kind: 'compose' })).body.id;
  const res = await api.post<{ id: string }>('/tracks', { name, applicationIds: [app] });
  expect(res.status).toBe(201);
  return res.body.id;
}

describe('PATCH /installations/:id {trackId}', () => {
  it('sets a track of the vendor, moves it to another, clears it with null, and audits each change', async () => {
    const [platform, edge] = [await createTrack(`Platform ${randomSuffix()}`), await createTrack(`Edge ${randomSuffix()}`)];
    const inst = await createInstallation();
    expect(inst.trackId).toBeNull();

    const set = await api.call<Installation>('PATCH', `/installations/${inst.id}`, { trackId: platform });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ id: inst.id, trackId: platform, name: inst.name });
    expect((await api.call<Installation>('PATCH', `/installations/${inst.id}`, { trackId: edge, name: 'renamed' })).body).toMatchObject({ trackId: edge, name: 'renamed' });
    const cleared = await api.call<Installation>('PATCH', `/installations/${inst.id}`, { trackId: null });
    expect(cleared.status).toBe(200);
    expect(cleared.body.trackId).toBeNull();
    expect((await api.get<Installation>(`/installations/${inst.id}`)).body.trackId).toBeNull();

    const audit = await api.get<{ items: { action: string; target: { id: string | null }; details: Record<string, unknown> | null }[] }>(`/audit?targetId=${inst.id}`);
    const updates = audit.body.items.filter((r) => r.action === 'installation.update').map((r) => r.details);
    expect(updates).toEqual([
      { fields: ['trackId'], trackId: null },
      { fields: ['name', 'trackId'], trackId: edge },
      { fields: ['trackId'], trackId: platform },
    ]);
  });

  it('refuses a track that does not exist or is another vendor\'s, in the same words, and changes nothing', async () => {
    const own = await createTrack(`Own ${randomSuffix()}`);
    const inst = await createInstallation({ trackId: own });
    const other = new ApiClient(hub.url);
    await other.signup(randomSuffix());
    const app = (await other.post<{ id: string }>('/applications', { name: 'Theirs', kind: 'compose' })).body.id;
    const theirs = (await other.post<{ id: string }>('/tracks', { name: 'Theirs', applicationIds: [app] })).body.id;

    for (const trackId of [theirs, '00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
      const res = await api.call<Err>('PATCH', `/installations/${inst.id}`, { trackId });
      expect(res.status).toBe(400);
      expect(res.body.error).toEqual({ code: 'VALIDATION_FAILED', message: `trackId: no track ${trackId}` });
    }
    expect((await api.get<Installation>(`/installations/${inst.id}`)).body.trackId).toBe(own);
    expect((await other.call<Err>('PATCH', `/installations/${inst.id}`, { trackId: theirs })).status).toBe(404);
  });
});

describe('agent credentials name the hub URL', () => {
  it('is PUBLIC_URL, marked configured, when the operator set it', async () => {
    const inst = await createInstallation();
    const creds = (await api.post<AgentCredentials>(`/installations/${inst.id}/agent-credentials`)).body;
    expect(creds).toMatchObject({ hubUrl: 'https://hub.example.com', hubUrlConfigured: true });
    expect(creds.installUrl.startsWith('https://hub.example.com/api/v1/agent/install/')).toBe(true);
  });

  it('is the hub\'s own guess, marked unconfigured, without PUBLIC_URL', async () => {
    const bare = await startTestHub({ databaseUrl: tdb.url });
    try {
      const client = new ApiClient(bare.url);
      await client.signup(randomSuffix());
      const customer = (await client.post<{ id: string }>('/customers', { name: 'Solo' })).body.id;
      const inst = (await client.post<Installation>('/installations', { customerId: customer, name: 'solo', environment: 'qa', agentKind: 'compose' })).body;
      const creds = (await client.post<AgentCredentials>(`/installations/${inst.id}/agent-credentials`)).body;
      expect(creds).toMatchObject({ hubUrl: 'http://127.0.0.1:0', hubUrlConfigured: false });
    } finally {
      await bare.close();
    }
  });
});

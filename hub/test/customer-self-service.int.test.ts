import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentCredentials, Customer, Installation, Release } from '@flotilla/protocol';
import { ApiClient, COMPOSE_V1 } from './api-client.js';
import { createTestDatabase, randomSuffix, startTestHub, type TestDatabase, type TestHub } from './helpers.js';

let tdb: TestDatabase;
let hub: TestHub;
let vendor: ApiClient;
let admin: ApiClient;
let viewer: ApiClient;
const ids: Record<string, string> = {};
type Err = { error: { code: string; message: string } };

async function member(customerId: string, role: 'admin' | 'viewer'): Promise<ApiClient> {
  const inv = await vendor.post<{ inviteUrl: string }>('/invites', { email: `c-${randomSuffix()}@example.com`, role, customerId });
  const client = new ApiClient(hub.url);
  expect((await client.post(`/invites/${inv.body.inviteUrl.split('/').pop() ?? ''}/accept`, { name: 'Cust', password: 'a long enough password' })).status).toBe(200);
  return client;
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  hub = await startTestHub({ databaseUrl: tdb.url });
  vendor = new ApiClient(hub.url);
  await vendor.signup(randomSuffix());
  ids.app = (await vendor.post<{ id: string }>('/applications', { name: 'shop', kind: 'compose' })).body.id;
  ids.v1 = (await vendor.post<{ id: string }>(`/applications/${ids.app}/versions`, { version: '1.0.0', compose: { file: COMPOSE_V1 } })).body.id;
  ids.track = (await vendor.post<{ id: string }>('/tracks', { name: 'Shop', applicationIds: [ids.app] })).body.id;
  ids.otherTrack = (await vendor.post<{ id: string }>('/tracks', { name: 'Internal', applicationIds: [ids.app] })).body.id;
  const release = await vendor.post<Release>(`/tracks/${ids.track}/releases`, { version: '1.0.0', stages: [[{ applicationId: ids.app, versionId: ids.v1 }]] });
  expect((await vendor.post(`/releases/${release.body.id}/lock`)).status).toBe(200);
  ids.release = release.body.id;
  ids.customer = (await vendor.post<{ id: string }>('/customers', { name: 'Globex' })).body.id;
  ids.other = (await vendor.post<{ id: string }>('/customers', { name: 'Initech' })).body.id;
  expect((await vendor.post('/entitlements', { customerId: ids.customer, trackId: ids.track })).status).toBe(201);
  admin = await member(ids.customer, 'admin');
  viewer = await member(ids.customer, 'viewer');
});

afterAll(async () => {
  await hub.close();
  await tdb.drop();
});

const create = (client: ApiClient, body: Record<string, unknown>) =>
  client.post<Installation & Err>('/installations', { customerId: ids.customer, name: `i${randomSuffix()}`, environment: 'production', agentKind: 'compose', ...body });

describe('customer self-service', () => {
  it('the vendor sets the limits on the customer; the customer reads them and cannot change them', async () => {
    const set = await vendor.patch<Customer>(`/customers/${ids.customer}`, { maxInstallations: 2, allowedEnvironments: ['production', 'staging', 'staging'] });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ name: 'Globex', maxInstallations: 2, allowedEnvironments: ['production', 'staging'] });
    expect((await admin.get<Customer>(`/customers/${ids.customer}`)).body).toMatchObject({ maxInstallations: 2, allowedEnvironments: ['production', 'staging'] });
    expect((await admin.patch(`/customers/${ids.customer}`, { maxInstallations: 100 })).status).toBe(404);
    expect((await vendor.patch<Err>(`/customers/${ids.customer}`, {})).status).toBe(400);
  });

  it('a customer admin creates installations within the limits, for its own customer only', async () => {
    const created = await create(admin, { name: 'edge', environment: 'staging', trackId: ids.track });
    expect(created.status).toBe(201);
    ids.installation = created.body.id;
    expect(created.body).toMatchObject({ customerId: ids.customer, environment: 'staging', trackId: ids.track });

    const qa = await create(admin, { environment: 'qa' });
    expect(qa.status).toBe(400);
    expect(qa.body.error.message).toBe('environment: Globex may use "production", "staging"; ask your vendor for "qa"');
    expect((await create(admin, { customerId: ids.other })).status).toBe(400);
    expect((await create(admin, { trackId: ids.otherTrack })).status).toBe(400); // not entitled: no such track for them
    expect((await create(admin, { agentKind: 'helm', clusterScoped: true })).status).toBe(403);
    expect((await create(viewer, {})).status).toBe(403);

    expect((await create(admin, { name: 'second' })).status).toBe(201);
    const third = await create(admin, { name: 'third' });
    expect(third.status).toBe(409);
    expect(third.body.error.message).toContain('Globex may have at most 2 installations');
    // The vendor is not bound by its customer's self-service limits (its installations count, though).
    const vendorMade = await create(vendor, { name: 'vendor-made', environment: 'qa' });
    expect(vendorMade.status).toBe(201);
    ids.vendorMade = vendorMade.body.id;
  });

  it('renames its installation, not what is the vendor’s', async () => {
    const renamed = await admin.patch<Installation>(`/installations/${ids.installation}`, { name: 'edge-eu' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe('edge-eu');
    expect((await admin.patch<Err>(`/installations/${ids.installation}`, { helmValues: {} })).status).toBe(403);
    expect((await admin.patch<Err>(`/installations/${ids.installation}`, { environment: 'qa' })).status).toBe(400);
    expect((await admin.patch<Err>(`/installations/${ids.installation}`, { trackId: ids.otherTrack })).status).toBe(400);
    expect((await viewer.patch(`/installations/${ids.installation}`, { name: 'x' })).status).toBe(403);
  });

  it('gets the install command, deploys an entitled release, and reads uptime and events', async () => {
    const creds = await admin.post<AgentCredentials>(`/installations/${ids.installation}/agent-credentials`);
    expect(creds.status).toBe(201);
    expect(creds.body.installCommand).toContain('docker compose');
    expect((await admin.post<{ revision: number }>(`/installations/${ids.installation}/deploy`, { releaseId: ids.release })).status).toBe(202);
    expect((await admin.get(`/installations/${ids.installation}/uptime?window=24h`)).status).toBe(200);
    const events = await admin.get<{ items: { type: string }[] }>(`/installations/${ids.installation}/events`);
    expect(events.status).toBe(200);
    expect(events.body.items.length).toBeGreaterThan(0);
  });

  it('deletes its installation, which frees a place', async () => {
    expect((await viewer.delete(`/installations/${ids.installation}`)).status).toBe(403);
    expect((await admin.delete(`/installations/${ids.installation}`)).status).toBe(204);
    expect((await create(admin, { name: 'replacement' })).status).toBe(409); // the vendor's one still counts
    expect((await vendor.delete(`/installations/${ids.vendorMade}`)).status).toBe(204);
    // One place left and five creates at once: exactly one takes it.
    const racing = await Promise.all(['r1', 'r2', 'r3', 'r4', 'r5'].map((name) => create(admin, { name })));
    expect(racing.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
    const won = racing.find((r) => r.status === 201);
    expect((await admin.delete(`/installations/${won?.body.id ?? ''}`)).status).toBe(204);
    expect((await create(admin, { name: 'replacement' })).status).toBe(201);
    const audit = await vendor.get<{ items: { action: string; customerId: string | null }[] }>('/audit?limit=100');
    expect(audit.body.items.filter((a) => a.customerId === ids.customer).map((a) => a.action)).toEqual(expect.arrayContaining(['installation.create', 'installation.update', 'installation.delete']));
  });
});

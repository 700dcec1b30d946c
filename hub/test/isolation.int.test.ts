import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import type { InstallationStatus, LiveClientToServerEvents, LiveServerToClientEvents } from '@flotilla/protocol';
import { ROUTES, type RouteKey } from '../src/http/route-access.js';
import { ApiClient, COMPOSE_V1 } from './api-client.js';
import { createTestDatabase, randomSuffix, startTestHub, waitFor, type TestDatabase, type TestHub } from './helpers.js';

/**
 * The tenant isolation suite, generated from the role matrix (ROUTES). For every REST route, a user
 * of another vendor and a user of another customer of the same vendor try to read and change vendor
 * A's / customer X's resources and get 404 (anonymous: 401); a viewer cannot write (403). Every
 * route must have a case here: adding a route without one fails the suite.
 */

let tdb: TestDatabase;
let hub: TestHub;
const ids: Record<string, string> = {};
let aAdmin: ApiClient;
let aViewer: ApiClient;
let xAdmin: ApiClient;
let yAdmin: ApiClient;
let bAdmin: ApiClient;
let anon: ApiClient;

async function invitedClient(admin: ApiClient, body: { role: string; customerId?: string }): Promise<{ client: ApiClient; userId: string }> {
  const email = `u-${randomSuffix()}@example.com`;
  const inv = await admin.post<{ inviteUrl: string }>('/invites', { email, ...body });
  expect(inv.status).toBe(201);
  const token = inv.body.inviteUrl.split('/').pop() ?? '';
  const client = new ApiClient(hub.url);
  const acc = await client.post<{ user: { id: string } }>(`/invites/${token}/accept`, { name: 'Invited', password: 'a long enough password' });
  expect(acc.status).toBe(200);
  return { client, userId: acc.body.user.id };
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  hub = await startTestHub({ databaseUrl: tdb.url });
  aAdmin = new ApiClient(hub.url);
  bAdmin = new ApiClient(hub.url);
  anon = new ApiClient(hub.url);
  ids.vendorA = (await aAdmin.signup(`a${randomSuffix()}`)).vendorId;
  await bAdmin.signup(`b${randomSuffix()}`);

  ids.app = (await aAdmin.post<{ id: string }>('/applications', { name: 'core', kind: 'compose' })).body.id;
  ids.version = (await aAdmin.post<{ id: string }>(`/applications/${ids.app}/versions`, { version: '1.0.0', compose: { file: COMPOSE_V1 } })).body.id;
  ids.customerX = (await aAdmin.post<{ id: string }>('/customers', { name: 'X' })).body.id;
  ids.customerY = (await aAdmin.post<{ id: string }>('/customers', { name: 'Y' })).body.id;
  ids.installationX = (await aAdmin.post<{ id: string }>('/installations', { customerId: ids.customerX, name: 'x1', environment: 'prod', agentKind: 'compose' })).body.id;
  ids.installationY = (await aAdmin.post<{ id: string }>('/installations', { customerId: ids.customerY, name: 'y1', environment: 'prod', agentKind: 'compose' })).body.id;
  expect((await aAdmin.post(`/installations/${ids.installationX}/deploy`, { versionId: ids.version })).status).toBe(202);
  ids.command = (await aAdmin.post<{ id: string }>(`/installations/${ids.installationX}/commands`, { type: 'restart' })).body.id;
  // A support bundle of X's (its agent is offline, so it fails at once, but it exists).
  expect((await aAdmin.post(`/installations/${ids.installationX}/agent-credentials`)).status).toBe(201);
  ids.bundle = (await aAdmin.post<{ id: string }>(`/installations/${ids.installationX}/support-bundles`, {})).body.id;

  ids.track = (await aAdmin.post<{ id: string }>('/tracks', { name: 'Platform', applicationIds: [ids.app] })).body.id;
  ids.release = (await aAdmin.post<{ id: string }>(`/tracks/${ids.track}/releases`, { version: '1.0.0', stages: [[{ applicationId: ids.app, versionId: ids.version }]] })).body.id;
  ids.entitlement = (await aAdmin.post<{ id: string }>('/entitlements', { customerId: ids.customerX, trackId: ids.track })).body.id;
  expect((await aAdmin.post(`/releases/${ids.release}/lock`)).status).toBe(200);
  ids.license = (await aAdmin.post<{ id: string }>('/licenses', { customerId: ids.customerX })).body.id;
  ids.installationX2 = (await aAdmin.post<{ id: string }>('/installations', { customerId: ids.customerX, name: 'x2', environment: 'prod', agentKind: 'compose', trackId: ids.track })).body.id;
  const ro = await aAdmin.post<{ id: string }>('/rollouts', { releaseId: ids.release, targets: { installationIds: [ids.installationX2] }, strategy: { requireCustomerApproval: true } });
  expect(ro.status).toBe(201);
  ids.rollout = ro.body.id;

  const x = await invitedClient(aAdmin, { role: 'admin', customerId: ids.customerX });
  xAdmin = x.client;
  ids.xAdminUser = x.userId;
  yAdmin = (await invitedClient(aAdmin, { role: 'admin', customerId: ids.customerY })).client;
  ids.alertRule = (await aAdmin.post<{ id: string }>('/alert-rules', { name: 'Offline', kind: 'offline', threshold: 10 })).body.id;
  ids.webhookX = (await xAdmin.post<{ id: string }>('/webhooks', { url: 'https://hooks.example.com/x', enabled: false })).body.id;
  const v = await invitedClient(aAdmin, { role: 'viewer' });
  aViewer = v.client;
  ids.aViewerUser = v.userId;

  ids.invite = (await aAdmin.post<{ id: string }>('/invites', { email: 'pending@example.com', role: 'viewer' })).body.id;
  ids.inviteX = (await xAdmin.post<{ id: string }>('/invites', { email: 'pending-x@example.com', role: 'viewer' })).body.id;
  ids.token = (await aAdmin.post<{ id: string }>('/tokens', { name: 'ci' })).body.id;
  ids.session = ((await aAdmin.get<{ items: { id: string; current: boolean }[] }>('/sessions')).body.items.find((s) => s.current)?.id) ?? '';
});

afterAll(async () => {
  await hub.close();
  await tdb.drop();
});

interface Case {
  /** Path with A's / X's ids filled in. */
  path: () => string;
  body?: () => unknown;
  /** Owner of the resource in the path: vendor-wide, customer X's, or the A admin's own (user routes). */
  owner: 'vendor' | 'customerX' | 'self' | 'none';
}

const installation = (suffix = ''): Case => ({ path: () => `/installations/${ids.installationX}${suffix}`, owner: 'customerX' });

const CASES: Record<RouteKey, Case> = {
  'POST /auth/signup': { path: () => '/auth/signup', owner: 'none' },
  'POST /auth/signup/confirm': { path: () => '/auth/signup/confirm', owner: 'none', body: () => ({ token: 'x'.repeat(43) }) },
  'POST /auth/login': { path: () => '/auth/login', owner: 'none' },
  'POST /auth/logout': { path: () => '/auth/logout', owner: 'none' },
  'GET /me': { path: () => '/me', owner: 'none' },
  'GET /me/notification-preferences': { path: () => '/me/notification-preferences', owner: 'none' },
  'PUT /me/notification-preferences': { path: () => '/me/notification-preferences', body: () => ({ email: true }), owner: 'none' },
  'GET /sessions': { path: () => '/sessions', owner: 'none' },
  'DELETE /sessions/:id': { path: () => `/sessions/${ids.session}`, owner: 'self' },
  'GET /tokens': { path: () => '/tokens', owner: 'none' },
  'POST /tokens': { path: () => '/tokens', body: () => ({ name: 'mine' }), owner: 'none' },
  'DELETE /tokens/:id': { path: () => `/tokens/${ids.token}`, owner: 'self' },
  'GET /invites': { path: () => '/invites', owner: 'none' },
  'POST /invites': { path: () => '/invites', body: () => ({ email: 'new@example.com', role: 'viewer', customerId: ids.customerX }), owner: 'customerX' },
  'DELETE /invites/:id': { path: () => `/invites/${ids.inviteX}`, owner: 'customerX' },
  'POST /invites/:token/accept': { path: () => '/invites/not-a-token/accept', owner: 'none' },
  'GET /users': { path: () => '/users', owner: 'none' },
  'PATCH /users/:id': { path: () => `/users/${ids.xAdminUser}`, body: () => ({ role: 'viewer' }), owner: 'customerX' },
  'DELETE /users/:id': { path: () => `/users/${ids.xAdminUser}`, owner: 'customerX' },
  'GET /audit': { path: () => '/audit', owner: 'vendor' },
  // The acting vendor's own settings (B changes B's); the images are public by vendor id.
  'GET /alert-rules': { path: () => '/alert-rules', owner: 'none' },
  'POST /alert-rules': { path: () => '/alert-rules', body: () => ({ name: 'mine', kind: 'offline' }), owner: 'none' },
  'PATCH /alert-rules/:id': { path: () => `/alert-rules/${ids.alertRule}`, body: () => ({ name: 'pwned' }), owner: 'vendor' },
  'DELETE /alert-rules/:id': { path: () => `/alert-rules/${ids.alertRule}`, owner: 'vendor' },
  'GET /alerts': { path: () => '/alerts?state=all', owner: 'none' },
  'GET /webhooks': { path: () => '/webhooks', owner: 'none' },
  'POST /webhooks': { path: () => '/webhooks', body: () => ({ url: 'https://hooks.example.com/mine' }), owner: 'none' },
  'GET /webhooks/:id': { path: () => `/webhooks/${ids.webhookX}`, owner: 'customerX' },
  'PATCH /webhooks/:id': { path: () => `/webhooks/${ids.webhookX}`, body: () => ({ url: 'https://pwned.example.com/' }), owner: 'customerX' },
  'DELETE /webhooks/:id': { path: () => `/webhooks/${ids.webhookX}`, owner: 'customerX' },
  'POST /webhooks/:id/rotate-secret': { path: () => `/webhooks/${ids.webhookX}/rotate-secret`, body: () => ({}), owner: 'customerX' },
  'POST /webhooks/:id/test': { path: () => `/webhooks/${ids.webhookX}/test`, owner: 'customerX' },
  'GET /webhooks/:id/deliveries': { path: () => `/webhooks/${ids.webhookX}/deliveries`, owner: 'customerX' },
  'POST /webhooks/:id/deliveries/:deliveryId/redeliver': { path: () => `/webhooks/${ids.webhookX}/deliveries/1/redeliver`, owner: 'customerX' },
  'GET /branding': { path: () => '/branding', owner: 'none' },
  'PATCH /branding': { path: () => '/branding', body: () => ({ productName: 'Mine' }), owner: 'none' },
  'GET /branding/host': { path: () => '/branding/host', owner: 'none' },
  'GET /branding/:vendorId/:image': { path: () => `/branding/${ids.vendorA}/logo`, owner: 'none' },
  'GET /applications': { path: () => '/applications', owner: 'vendor' },
  'POST /applications': { path: () => '/applications', body: () => ({ name: `n${randomSuffix()}`, kind: 'compose' }), owner: 'vendor' },
  'GET /applications/:id': { path: () => `/applications/${ids.app}`, owner: 'vendor' },
  'PATCH /applications/:id': { path: () => `/applications/${ids.app}`, body: () => ({ description: 'pwned' }), owner: 'vendor' },
  'DELETE /applications/:id': { path: () => `/applications/${ids.app}`, owner: 'vendor' },
  'GET /applications/:id/versions': { path: () => `/applications/${ids.app}/versions`, owner: 'vendor' },
  'POST /applications/:id/versions': { path: () => `/applications/${ids.app}/versions`, body: () => ({ version: `9.${randomSuffix()}`, compose: { file: COMPOSE_V1 } }), owner: 'vendor' },
  'GET /applications/:id/versions/:vid': { path: () => `/applications/${ids.app}/versions/${ids.version}`, owner: 'vendor' },
  'PATCH /applications/:id/versions/:vid': { path: () => `/applications/${ids.app}/versions/${ids.version}`, body: () => ({ notes: 'pwned' }), owner: 'vendor' },
  'DELETE /applications/:id/versions/:vid': { path: () => `/applications/${ids.app}/versions/${ids.version}`, owner: 'vendor' },
  'GET /customers': { path: () => '/customers', owner: 'vendor' },
  'POST /customers': { path: () => '/customers', body: () => ({ name: `c${randomSuffix()}` }), owner: 'vendor' },
  'GET /customers/:id': { path: () => `/customers/${ids.customerX}`, owner: 'customerX' },
  'PATCH /customers/:id': { path: () => `/customers/${ids.customerX}`, body: () => ({ name: 'pwned' }), owner: 'customerX' },
  'DELETE /customers/:id': { path: () => `/customers/${ids.customerX}`, owner: 'customerX' },
  'GET /installations': { path: () => '/installations', owner: 'none' },
  'POST /installations': { path: () => '/installations', body: () => ({ customerId: ids.customerX, name: `i${randomSuffix()}`, environment: 'prod', agentKind: 'compose' }), owner: 'customerX' },
  'GET /installations/:id': installation(),
  'PATCH /installations/:id': { ...installation(), body: () => ({ name: 'pwned' }) },
  'DELETE /installations/:id': installation(),
  'POST /installations/:id/agent-credentials': installation('/agent-credentials'),
  'POST /installations/:id/deploy': { ...installation('/deploy'), body: () => ({ versionId: ids.version }) },
  'GET /installations/:id/config': installation('/config'),
  'PUT /installations/:id/config': { ...installation('/config'), body: () => ({ components: { web: { env: { PWNED: '1' } } } }) },
  'GET /installations/:id/status': installation('/status'),
  'GET /installations/:id/uptime': installation('/uptime'),
  'GET /installations/:id/metrics': installation('/metrics'),
  'GET /installations/:id/events': installation('/events'),
  'POST /installations/:id/commands': { ...installation('/commands'), body: () => ({ type: 'restart' }) },
  'GET /installations/:id/commands': installation('/commands'),
  'GET /installations/:id/commands/:commandId': { path: () => `/installations/${ids.installationX}/commands/${ids.command}`, owner: 'customerX' },
  'POST /installations/:id/support-bundles': { ...installation('/support-bundles'), body: () => ({}) },
  'GET /installations/:id/support-bundles': installation('/support-bundles'),
  'GET /support-bundles/:id': { path: () => `/support-bundles/${ids.bundle}`, owner: 'customerX' },
  'GET /support-bundles/:id/download': { path: () => `/support-bundles/${ids.bundle}/download`, owner: 'customerX' },
  'POST /support-bundles/:id/approve': { path: () => `/support-bundles/${ids.bundle}/approve`, owner: 'customerX' },
  'POST /support-bundles/:id/reject': { path: () => `/support-bundles/${ids.bundle}/reject`, body: () => ({}), owner: 'customerX' },
  'GET /customers/:id/support-bundle-policy': { path: () => `/customers/${ids.customerX}/support-bundle-policy`, owner: 'customerX' },
  'PUT /customers/:id/support-bundle-policy': { path: () => `/customers/${ids.customerX}/support-bundle-policy`, body: () => ({ requireApproval: true }), owner: 'customerX' },
  'GET /tracks': { path: () => '/tracks', owner: 'none' },
  'POST /tracks': { path: () => '/tracks', body: () => ({ name: `t${randomSuffix()}` }), owner: 'vendor' },
  'GET /tracks/:id': { path: () => `/tracks/${ids.track}`, owner: 'vendor' },
  'PATCH /tracks/:id': { path: () => `/tracks/${ids.track}`, body: () => ({ description: 'pwned' }), owner: 'vendor' },
  'GET /tracks/:id/releases': { path: () => `/tracks/${ids.track}/releases`, owner: 'vendor' },
  'POST /tracks/:id/releases': { path: () => `/tracks/${ids.track}/releases`, body: () => ({ version: `2.0.${Math.floor(Math.random() * 1e6)}` }), owner: 'vendor' },
  'GET /releases/:id': { path: () => `/releases/${ids.release}`, owner: 'vendor' },
  'PATCH /releases/:id': { path: () => `/releases/${ids.release}`, body: () => ({ notes: 'pwned' }), owner: 'vendor' },
  'DELETE /releases/:id': { path: () => `/releases/${ids.release}`, owner: 'vendor' },
  'POST /releases/:id/lock': { path: () => `/releases/${ids.release}/lock`, owner: 'vendor' },
  'POST /releases/:id/require': { path: () => `/releases/${ids.release}/require`, owner: 'vendor' },
  'POST /releases/:id/unrequire': { path: () => `/releases/${ids.release}/unrequire`, owner: 'vendor' },
  'POST /releases/:id/unlock': { path: () => `/releases/${ids.release}/unlock`, owner: 'vendor' },
  'POST /releases/:id/hold': { path: () => `/releases/${ids.release}/hold`, owner: 'vendor' },
  'POST /releases/:id/resume': { path: () => `/releases/${ids.release}/resume`, owner: 'vendor' },
  'POST /releases/:id/rescind': { path: () => `/releases/${ids.release}/rescind`, owner: 'vendor' },
  'GET /entitlements': { path: () => '/entitlements', owner: 'none' },
  'POST /entitlements': { path: () => '/entitlements', body: () => ({ customerId: ids.customerX, trackId: ids.track }), owner: 'customerX' },
  'PATCH /entitlements/:id': { path: () => `/entitlements/${ids.entitlement}`, body: () => ({ versionRange: '>=0.0.0' }), owner: 'customerX' },
  'DELETE /entitlements/:id': { path: () => `/entitlements/${ids.entitlement}`, owner: 'customerX' },
  'GET /licenses': { path: () => '/licenses', owner: 'none' },
  'POST /licenses': { path: () => '/licenses', body: () => ({ customerId: ids.customerX }), owner: 'customerX' },
  'GET /licenses/public-key': { path: () => '/licenses/public-key', owner: 'none' },
  'GET /licenses/:id': { path: () => `/licenses/${ids.license}`, owner: 'customerX' },
  'POST /licenses/:id/replace': { path: () => `/licenses/${ids.license}/replace`, body: () => ({ maxInstallations: 1 }), owner: 'customerX' },
  'POST /licenses/:id/revoke': { path: () => `/licenses/${ids.license}/revoke`, owner: 'customerX' },
  'GET /license-keys/:vendorId': { path: () => `/license-keys/${ids.vendorA}`, owner: 'none' },
  'GET /installations/:id/updates': installation('/updates'),
  'GET /fleet/summary': { path: () => '/fleet/summary', owner: 'none' },
  'GET /rollouts': { path: () => '/rollouts', owner: 'none' },
  'POST /rollouts': { path: () => '/rollouts', body: () => ({ releaseId: ids.release, targets: { installationIds: [ids.installationX2] } }), owner: 'vendor' },
  'POST /rollouts/preview': { path: () => '/rollouts/preview', body: () => ({ releaseId: ids.release, targets: { installationIds: [ids.installationX2] } }), owner: 'vendor' },
  'GET /rollouts/:id': { path: () => `/rollouts/${ids.rollout}`, owner: 'customerX' },
  'GET /rollouts/:id/timeline': { path: () => `/rollouts/${ids.rollout}/timeline`, owner: 'customerX' },
  'POST /rollouts/:id/pause': { path: () => `/rollouts/${ids.rollout}/pause`, owner: 'vendor' },
  'POST /rollouts/:id/resume': { path: () => `/rollouts/${ids.rollout}/resume`, owner: 'vendor' },
  'POST /rollouts/:id/abort': { path: () => `/rollouts/${ids.rollout}/abort`, owner: 'vendor' },
  'POST /rollouts/:id/targets/:installationId/approve': { path: () => `/rollouts/${ids.rollout}/targets/${ids.installationX2}/approve`, owner: 'customerX' },
  'GET /agent/install/:token': { path: () => '/agent/install/not-a-token', owner: 'none' },
  'GET /agent/state': { path: () => '/agent/state', owner: 'none' },
  'POST /agent/status': { path: () => '/agent/status', body: () => ({ revision: 0, components: [] }), owner: 'none' },
  'POST /agent/progress': { path: () => '/agent/progress', body: () => ({ id: 'c', status: 'running' }), owner: 'none' },
  'GET /openapi.json': { path: () => '/openapi.json', owner: 'none' },
};

const KEYS = Object.keys(ROUTES) as RouteKey[];
const methodOf = (key: RouteKey) => key.split(' ')[0] as string;
const call = (client: ApiClient, key: RouteKey) => {
  const c = CASES[key];
  return client.call<{ error?: { code: string }; items?: { id?: string; userId?: string; customerId?: string | null; vendorId?: string }[] }>(methodOf(key), c.path(), c.body?.());
};

describe('the isolation suite covers every route', () => {
  it('has a case for every route in the role matrix, and the matrix lists every registered route', () => {
    expect(Object.keys(CASES).sort()).toEqual([...KEYS].sort());
    const registered = hub.app.api.stack.flatMap((layer) => layer.methods.filter((m) => m !== 'HEAD').map((m) => `${m} ${layer.path}`));
    expect([...new Set(registered)].sort()).toEqual([...KEYS].sort());
  });
});

describe('anonymous callers', () => {
  it.each(KEYS.filter((k) => ROUTES[k].access.kind !== 'public'))('%s → 401', async (key) => {
    const res = await call(anon, key);
    expect(res.status).toBe(401);
    expect(res.body.error?.code).toBe('UNAUTHORIZED');
  });
});

describe('a user of another vendor (B)', () => {
  const targeted = KEYS.filter((k) => ROUTES[k].access.kind !== 'public' && CASES[k].owner !== 'none' && CASES[k].owner !== 'vendor');
  it.each(targeted)('%s on A’s resource → 404 (or refused without existence leak)', async (key) => {
    const res = await call(bAdmin, key);
    if (key === 'POST /installations' || key === 'POST /entitlements' || key === 'POST /licenses') {
      // B's own route, but the customer it names is A's: refused like a customer that does not exist.
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body)).not.toContain('X');
    } else {
      expect(res.status).toBe(404);
    }
  });

  it.each(KEYS.filter((k) => CASES[k].owner === 'vendor' && ROUTES[k].access.kind !== 'public' && /:id/.test(k)))('%s on A’s resource → 404', async (key) => {
    expect((await call(bAdmin, key)).status).toBe(404);
  });

  it.each(KEYS.filter((k) => methodOf(k) === 'GET' && !/:/.test(k) && ROUTES[k].access.kind !== 'public'))('%s lists nothing of A', async (key) => {
    const res = await call(bAdmin, key);
    expect(res.status).toBe(200);
    const text = JSON.stringify(res.body);
    for (const id of [ids.vendorA, ids.app, ids.customerX, ids.customerY, ids.installationX, ids.installationY, ids.invite, ids.xAdminUser, ids.track, ids.release, ids.entitlement, ids.rollout, ids.license]) expect(text).not.toContain(id);
  });
});

describe('a user of another customer (Y) of the same vendor', () => {
  it.each(KEYS.filter((k) => ROUTES[k].access.kind !== 'public' && (CASES[k].owner === 'customerX' || CASES[k].owner === 'vendor' || CASES[k].owner === 'self')))('%s → 404', async (key) => {
    const res = await call(yAdmin, key);
    if (key === 'POST /installations') {
      // Y's admins create Y's installations; naming X is refused like a customer that does not exist.
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body)).not.toContain('"X"');
    } else {
      expect(res.status).toBe(404);
    }
  });

  it.each(['GET /installations', 'GET /users', 'GET /invites', 'GET /tracks', 'GET /entitlements', 'GET /fleet/summary', 'GET /rollouts', 'GET /licenses'] as const)('%s shows only Y’s own', async (key) => {
    const res = await call(yAdmin, key);
    expect(res.status).toBe(200);
    const text = JSON.stringify(res.body);
    for (const id of [ids.installationX, ids.customerX, ids.xAdminUser, ids.inviteX, ids.invite, ids.track, ids.entitlement, ids.rollout, ids.license]) expect(text).not.toContain(id);
  });

  it('sees its own installation', async () => {
    const res = await yAdmin.get<{ items: { id: string }[] }>('/installations');
    expect(res.body.items.map((i) => i.id)).toEqual([ids.installationY]);
  });
});

describe('viewers cannot write', () => {
  const writes = KEYS.filter((k) => methodOf(k) !== 'GET' && (ROUTES[k].access.kind === 'vendor' || ROUTES[k].access.kind === 'tenant'));
  it.each(writes)('%s as vendor viewer → 403', async (key) => {
    const res = await call(aViewer, key);
    expect(res.status).toBe(403);
    expect(res.body.error?.code).toBe('FORBIDDEN');
  });
});

describe('live rooms', () => {
  type Live = Socket<LiveServerToClientEvents, LiveClientToServerEvents>;
  const open = (client: ApiClient): Promise<Live> => {
    const s: Live = connect(`${hub.url}/live`, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { cookie: client.sessionCookie ?? '' } });
    return new Promise((resolve, reject) => {
      s.once('connect', () => resolve(s));
      s.once('connect_error', reject);
    });
  };

  it('events of vendor A / customer X reach A’s and X’s users only', async () => {
    const sockets = { aAdmin: await open(aAdmin), xAdmin: await open(xAdmin), yAdmin: await open(yAdmin), bAdmin: await open(bAdmin) };
    const got: Record<string, InstallationStatus[]> = { aAdmin: [], xAdmin: [], yAdmin: [], bAdmin: [] };
    for (const [name, s] of Object.entries(sockets)) s.on('installation:status', (e) => got[name]?.push(e));
    try {
      expect((await aAdmin.post(`/installations/${ids.installationX}/deploy`, { versionId: ids.version })).status).toBe(202);
      await waitFor(() => (got.aAdmin?.length && got.xAdmin?.length ? true : undefined), 5000, 'A and X to receive the event');
      await new Promise((r) => setTimeout(r, 300));
      expect(got.yAdmin).toEqual([]);
      expect(got.bAdmin).toEqual([]);
      expect(got.xAdmin?.[0]?.installationId).toBe(ids.installationX);
    } finally {
      for (const s of Object.values(sockets)) s.disconnect();
    }
  });
});

import { createPublicKey, verify } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentCredentials, License, LicenseDelivery, LicensePublicKey, Release } from '@flotilla/protocol';
import { verifyLicense } from '@flotilla/sdk';
import { ApiClient, COMPOSE_V1 } from './api-client.js';
import { createTestDatabase, randomSuffix, startTestHub, waitFor, type TestDatabase, type TestHub } from './helpers.js';
import { connectAgent, host, type AgentSocket } from './sim-agent.js';

let tdb: TestDatabase;
let hub: TestHub;
let vendor: ApiClient;
let vendorId: string;
let customerAdmin: ApiClient;
let socket: AgentSocket | undefined;
const ids: Record<string, string> = {};
type Err = { error: { code: string; message: string } };

/** What a vendor's application does, with node:crypto only: split, verify the signature over the first part, read the JSON. */
function verifyWithNodeCrypto(license: string, publicKeyPem: string): Record<string, unknown> | null {
  const [payload, signature] = license.split('.');
  if (!payload || !signature) return null;
  const ok = verify(null, Buffer.from(payload), createPublicKey(publicKeyPem), Buffer.from(signature, 'base64url'));
  return ok ? (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>) : null;
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  hub = await startTestHub({ databaseUrl: tdb.url });
  vendor = new ApiClient(hub.url);
  vendorId = (await vendor.signup(randomSuffix())).vendorId;
  ids.app = (await vendor.post<{ id: string }>('/applications', { name: 'shop', kind: 'compose' })).body.id;
  ids.v1 = (await vendor.post<{ id: string }>(`/applications/${ids.app}/versions`, { version: '1.0.0', compose: { file: COMPOSE_V1 } })).body.id;
  ids.track = (await vendor.post<{ id: string }>('/tracks', { name: 'Shop', applicationIds: [ids.app] })).body.id;
  const release = await vendor.post<Release>(`/tracks/${ids.track}/releases`, { version: '1.0.0', stages: [[{ applicationId: ids.app, versionId: ids.v1 }]] });
  expect((await vendor.post(`/releases/${release.body.id}/lock`)).status).toBe(200);
  ids.release = release.body.id;
  ids.customer = (await vendor.post<{ id: string }>('/customers', { name: 'Globex' })).body.id;
  ids.other = (await vendor.post<{ id: string }>('/customers', { name: 'Initech' })).body.id;
  expect((await vendor.post('/entitlements', { customerId: ids.customer, trackId: ids.track, versionRange: '^1' })).status).toBe(201);
  ids.installation = (await vendor.post<{ id: string }>('/installations', { customerId: ids.customer, name: 'main', environment: 'production', agentKind: 'compose', trackId: ids.track })).body.id;
  const inv = await vendor.post<{ inviteUrl: string }>('/invites', { email: `c-${randomSuffix()}@example.com`, role: 'admin', customerId: ids.customer });
  customerAdmin = new ApiClient(hub.url);
  expect((await customerAdmin.post(`/invites/${inv.body.inviteUrl.split('/').pop() ?? ''}/accept`, { name: 'Cust', password: 'a long enough password' })).status).toBe(200);
});

afterAll(async () => {
  socket?.disconnect();
  await hub.close();
  await tdb.drop();
});

describe('signed licenses', () => {
  it('are verified by code that has only node:crypto and the public key; tampering fails', async () => {
    const issued = await vendor.post<License>('/licenses', {
      customerId: ids.customer,
      expiresAt: '2099-01-01T00:00:00Z',
      maxInstallations: 3,
      customFields: { seats: 50, plan: 'enterprise', sso: true },
    });
    expect(issued.status).toBe(201);
    ids.license = issued.body.id;
    // The public endpoint needs no sign-in; it is the key the signed-in endpoint shows.
    const pub = await new ApiClient(hub.url).get<LicensePublicKey>(`/license-keys/${vendorId}`);
    expect(pub.status).toBe(200);
    expect(pub.body.algorithm).toBe('Ed25519');
    expect((await vendor.get<LicensePublicKey>('/licenses/public-key')).body.publicKey).toBe(pub.body.publicKey);
    expect(JSON.stringify(pub.body)).not.toContain('PRIVATE');

    const payload = verifyWithNodeCrypto(issued.body.license, pub.body.publicKey);
    expect(payload).toMatchObject({
      v: 1,
      id: ids.license,
      vendorId,
      customerId: ids.customer,
      customer: 'Globex',
      expiresAt: '2099-01-01T00:00:00.000Z',
      onExpiry: 'warn',
      maxInstallations: 3,
      customFields: { seats: 50, plan: 'enterprise', sso: true },
      entitlements: [{ trackId: ids.track, track: 'Shop', versionRange: '^1', expiresAt: null }],
    });

    const [body, signature] = issued.body.license.split('.') as [string, string];
    const forged = Buffer.from(JSON.stringify({ ...payload, maxInstallations: 1000 })).toString('base64url');
    expect(verifyWithNodeCrypto(`${forged}.${signature}`, pub.body.publicKey)).toBeNull();
    const flipped = `${body}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
    expect(verifyWithNodeCrypto(flipped, pub.body.publicKey)).toBeNull();
    // The SDK agrees.
    expect(verifyLicense(issued.body.license, pub.body.publicKey)).toMatchObject({ valid: true, expired: false });
    expect(verifyLicense(`${forged}.${signature}`, pub.body.publicKey)).toEqual({ valid: false, reason: 'bad-signature' });
  });

  it('one active license per customer; the customer reads its own, not others', async () => {
    const again = await vendor.post<Err>('/licenses', { customerId: ids.customer });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain('replace it');
    expect((await vendor.post<Err>('/licenses', { customerId: '7d9f0c8e-2b1a-4c3d-9e8f-0a1b2c3d4e5f' })).status).toBe(400);
    ids.otherLicense = (await vendor.post<License>('/licenses', { customerId: ids.other })).body.id;

    const mine = await customerAdmin.get<{ items: License[] }>('/licenses');
    expect(mine.body.items.map((l) => l.id)).toEqual([ids.license]);
    expect((await customerAdmin.get(`/licenses/${ids.otherLicense}`)).status).toBe(404);
    expect((await customerAdmin.get<LicensePublicKey>('/licenses/public-key')).status).toBe(200);
    // Vendor-only routes do not exist for customers.
    expect((await customerAdmin.post(`/licenses/${ids.license}/revoke`)).status).toBe(404);
    expect((await new ApiClient(hub.url).get('/license-keys/7d9f0c8e-2b1a-4c3d-9e8f-0a1b2c3d4e5f')).status).toBe(404);
  });

  it("reach the customer's agent in its hello and live when replaced or revoked", async () => {
    const creds = (await vendor.post<AgentCredentials>(`/installations/${ids.installation}/agent-credentials`)).body;
    socket = await connectAgent(hub.url, creds.agentId, creds.secret);
    const pushed: LicenseDelivery[] = [];
    socket.on('license:current', (delivery: LicenseDelivery, ack: (r: { accepted: boolean }) => void) => {
      pushed.push(delivery);
      ack({ accepted: true });
    });
    const hello = (await socket.emitWithAck('agent:hello', { host, appliedRevision: 0, components: [] })) as { license?: string | null };
    const current = (await vendor.get<License>(`/licenses/${ids.license}`)).body.license;
    expect(hello.license).toBe(current);

    const replaced = await vendor.post<License>(`/licenses/${ids.license}/replace`, { customFields: { seats: 80 } });
    expect(replaced.status).toBe(201);
    await waitFor(() => pushed.length === 1, 10_000);
    expect(pushed[0]?.license).toBe(replaced.body.license);
    expect(replaced.body).toMatchObject({ maxInstallations: 3, expiresAt: '2099-01-01T00:00:00.000Z', customFields: { seats: 80 }, status: 'active' });
    const old = (await vendor.get<License>(`/licenses/${ids.license}`)).body;
    expect(old).toMatchObject({ status: 'replaced', replacedBy: replaced.body.id });
    expect((await vendor.post<Err>(`/licenses/${ids.license}/replace`, {})).status).toBe(409);

    expect((await vendor.post<License>(`/licenses/${replaced.body.id}/revoke`)).body.status).toBe('revoked');
    await waitFor(() => pushed.length === 2, 10_000);
    expect(pushed[1]).toEqual({ license: null });
    expect((await vendor.post(`/licenses/${replaced.body.id}/revoke`)).status).toBe(409);
    // Audited.
    const audit = await vendor.get<{ items: { action: string }[] }>('/audit?limit=100');
    expect(audit.body.items.map((a) => a.action)).toEqual(expect.arrayContaining(['license.issue', 'license.replace', 'license.revoke']));
  });

  it("an expired license that blocks updates stops the customer's deploys and rollouts, saying why; 'warn' does not", async () => {
    const lapsed = await vendor.post<License>('/licenses', { customerId: ids.customer, expiresAt: '2020-01-01T00:00:00Z', onExpiry: 'block-updates' });
    expect(lapsed.body.expired).toBe(true);
    const deploy = await vendor.post<Err>(`/installations/${ids.installation}/deploy`, { releaseId: ids.release });
    expect(deploy.status).toBe(409);
    expect(deploy.body.error.message).toMatch(/Globex's license expired on 2020-01-01T00:00:00.000Z and blocks updates/);
    expect((await customerAdmin.post(`/installations/${ids.installation}/deploy`, { releaseId: ids.release })).status).toBe(409);
    const rollout = await vendor.post<Err>('/rollouts', { releaseId: ids.release, targets: { installationIds: [ids.installation] } });
    expect(rollout.status).toBe(409);
    expect(rollout.body.error.message).toContain('license expired');
    const preview = await vendor.post<{ ineligible: { reason: string }[] }>('/rollouts/preview', { releaseId: ids.release, targets: { all: true } });
    expect(preview.body.ineligible.map((i) => i.reason)).toEqual(['license-expired']);

    const warned = await vendor.post<License>(`/licenses/${lapsed.body.id}/replace`, { onExpiry: 'warn' });
    expect(warned.body).toMatchObject({ expired: true, onExpiry: 'warn' });
    expect((await vendor.post(`/installations/${ids.installation}/deploy`, { releaseId: ids.release })).status).toBe(202);
  });
});

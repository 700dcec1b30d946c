import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from './api-client.js';
import { createTestDatabase, randomSuffix, startTestHub, type TestDatabase, type TestHub } from './helpers.js';

let tdb: TestDatabase;
let hub: TestHub;
let admin: ApiClient;
let both: ApiClient;
let userId: string;
let customerId: string;
const email = `both-${randomSuffix()}@example.com`;
const password = 'a long enough password';

async function accept(url: string, client: ApiClient): Promise<string> {
  const res = await client.post<{ user: { id: string } }>(`/invites/${url.split('/').pop() ?? ''}/accept`, { name: 'Both', password });
  expect(res.status).toBe(200);
  return res.body.user.id;
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  hub = await startTestHub({ databaseUrl: tdb.url });
  admin = new ApiClient(hub.url);
  await admin.signup(randomSuffix());
  customerId = (await admin.post<{ id: string }>('/customers', { name: 'Dual' })).body.id;
  both = new ApiClient(hub.url);
  userId = await accept((await admin.post<{ inviteUrl: string }>('/invites', { email, role: 'viewer' })).body.inviteUrl, both);
  await accept((await admin.post<{ inviteUrl: string }>('/invites', { email, role: 'viewer', customerId })).body.inviteUrl, both);
});

afterAll(async () => {
  await hub.close();
  await tdb.drop();
});

describe('a user who is in the vendor and one of its customers', () => {
  it('needs the membership named, and the vendor one can be', async () => {
    const ambiguous = await admin.call<{ error: { code: string } }>('PATCH', `/users/${userId}`, { role: 'release-manager' });
    expect(ambiguous.status).toBe(400);
    const vendorSide = await admin.call<{ role: string; customerId: string | null }>('PATCH', `/users/${userId}`, { role: 'release-manager', customerId: null });
    expect(vendorSide.body).toMatchObject({ role: 'release-manager', customerId: null });
    expect((await admin.call('DELETE', `/users/${userId}?customerId=vendor`)).status).toBe(204);
    const left = (await admin.get<{ items: { userId: string; customerId: string | null }[] }>('/users')).body.items.filter((m) => m.userId === userId);
    expect(left).toEqual([expect.objectContaining({ customerId })]);
  });

  it('a token made without customerId acts in the vendor membership, not the customer one', async () => {
    const c = new ApiClient(hub.url);
    const u2 = `both2-${randomSuffix()}@example.com`;
    await accept((await admin.post<{ inviteUrl: string }>('/invites', { email: u2, role: 'viewer', customerId })).body.inviteUrl, c);
    await accept((await admin.post<{ inviteUrl: string }>('/invites', { email: u2, role: 'viewer' })).body.inviteUrl, c);
    const token = await c.post<{ customerId: string | null }>('/tokens', { name: 'ci' });
    expect(token.status).toBe(201);
    expect(token.body.customerId).toBeNull();
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../src/http/route-access.js';
import { COMPOSE_V1 } from './api-client.js';
import { createTestDatabase, randomSuffix, startTestHub, type TestDatabase, type TestHub } from './helpers.js';
import { PASSWORD, Session, auditRows, dropped, expectEveryCallAudited, inviteTo, join, live, type AuditRow, type Err, type TrackedCall } from './identity-helpers.js';

// Invites, members and the audit log of the identity layer, over a real hub.
const PUBLIC_URL = 'http://hub.test:8080';
const journal: TrackedCall[] = [];
let tdb: TestDatabase;
let hub: TestHub;
let admin: Session; // vendor A
let adminB: Session; // vendor B
let custX: string;
let custY: string;
let custZ: string; // vendor B's
let viewer: Session; // vendor A viewer
let xAdmin: Session; // customer X admin
let xViewer: Session; // customer X viewer

type Member = { userId: string; email: string; role: string; vendorId: string; customerId: string | null };
type Me = { user: { name: string }; memberships: { vendorId: string; customerId: string | null; role: string }[] };
const NIL = '00000000-0000-4000-8000-000000000000';

beforeAll(async () => {
  tdb = await createTestDatabase();
  hub = await startTestHub({ databaseUrl: tdb.url, publicUrl: PUBLIC_URL });
  admin = new Session(hub.url, journal);
  adminB = new Session(hub.url, journal);
  await admin.signup(`a${randomSuffix()}`);
  await adminB.signup(`b${randomSuffix()}`);
  custX = (await admin.post<{ id: string }>('/customers', { name: 'X Corp' })).body.id;
  custY = (await admin.post<{ id: string }>('/customers', { name: 'Y Corp' })).body.id;
  custZ = (await adminB.post<{ id: string }>('/customers', { name: 'Z Corp' })).body.id;
});

afterAll(async () => {
  await hub?.close();
  await tdb?.drop();
});

function expectError(res: { status: number; body: Err }, status: number, code: string): void {
  expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
}

describe('invites', () => {
  it('a vendor admin invites a viewer, who accepts with name and password and is signed in as viewer', async () => {
    const email = `Vic-${randomSuffix()}@Example.com`;
    const created = await admin.post<{ id: string; inviteUrl: string; mailed: boolean; customerId: string | null; role: string }>('/invites', { email, role: 'viewer' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ role: 'viewer', customerId: null, mailed: false });
    expect(created.body.inviteUrl).toMatch(/^http:\/\/hub\.test:8080\/invite\/[A-Za-z0-9_-]{40,}$/);
    expect((await admin.get<{ items: { id: string }[] }>('/invites')).body.items.map((i) => i.id)).toContain(created.body.id);

    const token = created.body.inviteUrl.split('/').at(-1)!;
    viewer = new Session(hub.url, journal);
    viewer.vendorId = admin.vendorId;
    const accepted = await viewer.post<Me & { user: { email: string } }>(`/invites/${token}/accept`, { name: 'Vic Viewer', password: PASSWORD });
    expect(accepted.status).toBe(200);
    expect(accepted.headers.get('set-cookie')).toMatch(/flotilla_session=.+HttpOnly/i);
    expect(accepted.body.user.email).toBe(email.toLowerCase());
    const me = await viewer.get<Me>('/me');
    expect(me.status).toBe(200);
    expect(me.body.user.name).toBe('Vic Viewer');
    expect(me.body.memberships).toEqual([expect.objectContaining({ vendorId: admin.vendorId, customerId: null, role: 'viewer' })]);
    expect((await admin.get<{ items: { id: string }[] }>('/invites')).body.items.map((i) => i.id)).not.toContain(created.body.id);

    const again = await new Session(hub.url, journal).post<Err>(`/invites/${token}/accept`, { name: 'Mallory', password: 'another password' });
    expectError(again, 409, 'CONFLICT');
    expect(again.body.error.message).toMatch(/already been used/);
    expect((await new Session(hub.url, journal).post('/auth/login', { email, password: 'another password' })).status).toBe(401);
  });

  it('refuses an expired invite with 409 saying so, a revoked or unknown one with 404', async () => {
    const expired = await inviteTo(admin, 'viewer');
    await hub.infra.db('invites').where({ id: expired.id }).update({ expires_at: new Date(Date.now() - 60_000) });
    const res = await new Session(hub.url, journal).post<Err>(`/invites/${expired.token}/accept`, { name: 'Late', password: PASSWORD });
    expectError(res, 409, 'CONFLICT');
    expect(res.body.error.message).toMatch(/expired/);

    const revoked = await inviteTo(admin, 'viewer');
    expect((await admin.call('DELETE', `/invites/${revoked.id}`)).status).toBe(204);
    expectError(await new Session(hub.url, journal).post<Err>(`/invites/${revoked.token}/accept`, { name: 'Rev', password: PASSWORD }), 404, 'NOT_FOUND');
    expectError(await new Session(hub.url, journal).post<Err>(`/invites/no-such-invite-token/accept`, { name: 'Nobody', password: PASSWORD }), 404, 'NOT_FOUND');
    expect(await hub.infra.db('users').whereIn('email', [expired.email, revoked.email]).first()).toBeUndefined();
  });

  it("a customer admin invites their own customer's users, not another customer's (404) nor vendor users", async () => {
    expectError(await admin.post<Err>('/invites', { email: 'z@example.com', role: 'admin', customerId: custZ }), 404, 'NOT_FOUND');
    xAdmin = await join(admin, 'admin', custX);
    expect((await xAdmin.get<Me>('/me')).body.memberships).toEqual([expect.objectContaining({ vendorId: admin.vendorId, customerId: custX, role: 'admin' })]);
    xViewer = await join(xAdmin, 'viewer', custX);
    expect((await xViewer.get<Me>('/me')).body.memberships).toEqual([expect.objectContaining({ customerId: custX, role: 'viewer' })]);

    expectError(await xAdmin.post<Err>('/invites', { email: 'y@example.com', role: 'viewer', customerId: custY }), 404, 'NOT_FOUND');
    expectError(await xAdmin.post<Err>('/invites', { email: 'z@example.com', role: 'viewer', customerId: custZ }), 404, 'NOT_FOUND');
    // There is no way to ask for a vendor user: a vendor role is refused, and leaving out customerId
    // still invites into the admin's own customer.
    expectError(await xAdmin.post<Err>('/invites', { email: 'v@example.com', role: 'release-manager' }), 400, 'VALIDATION_FAILED');
    const implicit = await inviteTo(xAdmin, 'admin');
    expect(implicit.customerId).toBe(custX);
    const pending = await xAdmin.get<{ items: { customerId: string | null }[] }>('/invites');
    expect(pending.status).toBe(200);
    expect(pending.body.items.length).toBeGreaterThan(0);
    expect(pending.body.items.every((i) => i.customerId === custX)).toBe(true);
    expect((await xAdmin.call('DELETE', `/invites/${implicit.id}`)).status).toBe(204);
  });

  it('a release manager cannot invite; vendor and customer viewers cannot write anything', async () => {
    const rm = await join(admin, 'release-manager');
    expectError(await rm.post<Err>('/invites', { email: 'x@example.com', role: 'viewer' }), 403, 'FORBIDDEN');
    expectError(await xViewer.post<Err>('/invites', { email: 'x@example.com', role: 'viewer' }), 403, 'FORBIDDEN');

    const writes = Object.entries(ROUTES).filter(([key, rule]) => !key.startsWith('GET ') && (rule.access.kind === 'vendor' || rule.access.kind === 'tenant'));
    expect(writes.length).toBeGreaterThan(15);
    for (const [key, rule] of writes) {
      const [method, pattern] = key.split(' ') as [string, string];
      const path = pattern.replace(/:\w+/g, NIL);
      const asViewer = await viewer.call<Err>(method, path, {});
      expect({ key, status: asViewer.status, code: asViewer.body.error.code }).toEqual({ key, status: 403, code: 'FORBIDDEN' });
      // customer users get 404 on vendor-only routes (no existence leak), 403 on their tenant's routes
      const customerMay = rule.access.kind === 'tenant' && rule.access.customer !== null;
      const asCustomer = await xViewer.call<Err>(method, path, {});
      expect({ key, status: asCustomer.status }).toEqual({ key, status: customerMay ? 403 : 404 });
    }
  });

  it('rate-limits invite acceptance per address with RATE_LIMITED', async () => {
    // A hub of its own, so the count starts at zero whatever the tests above accepted.
    const fresh = await startTestHub({ databaseUrl: tdb.url, publicUrl: PUBLIC_URL });
    try {
      const valid = await inviteTo(admin, 'viewer');
      const anon = new Session(fresh.url, journal);
      for (let i = 0; i < 20; i++) expect((await anon.post(`/invites/guess-${i}/accept`, { name: 'Guess', password: PASSWORD })).status).toBe(404);
      const limited = await anon.post<Err>(`/invites/${valid.token}/accept`, { name: 'Guess', password: PASSWORD });
      expectError(limited, 429, 'RATE_LIMITED');
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await hub.infra.db('users').where({ email: valid.email }).first()).toBeUndefined();
    } finally {
      await fresh.close();
    }
  });
});

describe('members', () => {
  it('lists vendor and customer members to a vendor admin, only its customer’s to a customer admin', async () => {
    const all = await admin.get<{ items: Member[] }>('/users');
    expect(all.status).toBe(200);
    const byEmail = new Map(all.body.items.map((m) => [m.email, m]));
    expect(byEmail.get(admin.email)).toMatchObject({ role: 'admin', customerId: null });
    expect(byEmail.get(viewer.email)).toMatchObject({ role: 'viewer', customerId: null });
    expect(byEmail.get(xAdmin.email)).toMatchObject({ role: 'admin', customerId: custX });
    expect(byEmail.get(xViewer.email)).toMatchObject({ role: 'viewer', customerId: custX });
    expect(byEmail.has(adminB.email)).toBe(false);
    expect(all.body.items.every((m) => m.vendorId === admin.vendorId)).toBe(true);

    const mine = await xAdmin.get<{ items: Member[] }>('/users');
    expect(mine.body.items.map((m) => m.email).sort()).toEqual([xAdmin.email, xViewer.email].sort());
    expect((await adminB.get<{ items: Member[] }>('/users')).body.items.map((m) => m.email)).toEqual([adminB.email]);
    expectError(await xViewer.get<Err>('/users'), 403, 'FORBIDDEN');
    expectError(await viewer.get<Err>('/users'), 403, 'FORBIDDEN');
  });

  it("changes a role, and a demoted member's token shrinks with them", async () => {
    const m = await join(admin, 'viewer');
    expectError(await m.post<Err>('/applications', { name: `app-${randomSuffix()}`, kind: 'compose' }), 403, 'FORBIDDEN');
    const promoted = await admin.call<Member>('PATCH', `/users/${m.userId}`, { role: 'admin' });
    expect(promoted.status).toBe(200);
    expect(promoted.body).toMatchObject({ userId: m.userId, role: 'admin', customerId: null });
    const t = await m.post<{ id: string; token: string; role: string }>('/tokens', { name: 'admin token' });
    expect(t.body.role).toBe('admin');
    expect((await m.bearer(t.body.token).post('/customers', { name: `By token ${randomSuffix()}` })).status).toBe(201);

    expect((await admin.call<Member>('PATCH', `/users/${m.userId}`, { role: 'viewer' })).body.role).toBe('viewer');
    expectError(await m.bearer(t.body.token).post<Err>('/customers', { name: 'Nope' }), 403, 'FORBIDDEN');
    expectError(await m.post<Err>('/customers', { name: 'Nope' }), 403, 'FORBIDDEN');

    // out of scope: a customer admin on a vendor member, another vendor, a vendor role for a customer user
    expectError(await xAdmin.call<Err>('PATCH', `/users/${m.userId}`, { role: 'admin' }), 404, 'NOT_FOUND');
    expectError(await adminB.call<Err>('PATCH', `/users/${m.userId}`, { role: 'admin' }), 404, 'NOT_FOUND');
    expectError(await admin.call<Err>('PATCH', `/users/${xViewer.userId}`, { role: 'release-manager' }), 403, 'FORBIDDEN');
  });

  it('refuses demoting or removing the last admin of a vendor or a customer with 409', async () => {
    expectError(await admin.call<Err>('PATCH', `/users/${admin.userId}`, { role: 'viewer' }), 409, 'CONFLICT');
    expectError(await admin.call<Err>('DELETE', `/users/${admin.userId}`), 409, 'CONFLICT');
    expectError(await admin.call<Err>('PATCH', `/users/${xAdmin.userId}`, { role: 'viewer' }), 409, 'CONFLICT');
    expectError(await xAdmin.call<Err>('DELETE', `/users/${xAdmin.userId}`), 409, 'CONFLICT');
    expect((await admin.get<{ items: Member[] }>('/users')).body.items.filter((m) => m.role === 'admin').map((m) => m.email).sort()).toEqual([admin.email, xAdmin.email].sort());
  });

  it('keeps one admin when the last two demote or remove each other at the same time', async () => {
    const b2 = await join(adminB, 'admin');
    const adminsOf = async (reader: Session) => (await reader.get<{ items: Member[] }>('/users')).body.items.filter((m) => m.role === 'admin');
    for (let round = 0; round < 6; round++) {
      const [one, two] = await Promise.all([
        adminB.call('PATCH', `/users/${b2.userId}`, { role: 'viewer' }),
        b2.call('PATCH', `/users/${adminB.userId}`, { role: 'viewer' }),
      ]);
      // the loser is refused by the admin check (409) or, if it came second, already as a viewer (403)
      expect([one.status, two.status].filter((st) => st === 200)).toHaveLength(1);
      expect([409, 403]).toContain(one.status === 200 ? two.status : one.status);
      const [survivor, demoted] = one.status === 200 ? [adminB, b2] : [b2, adminB];
      expect((await adminsOf(survivor)).map((m) => m.userId)).toEqual([survivor.userId]);
      expect((await survivor.call('PATCH', `/users/${demoted.userId}`, { role: 'admin' })).status).toBe(200);
    }
    const [one, two] = await Promise.all([adminB.call('DELETE', `/users/${b2.userId}`), b2.call('DELETE', `/users/${adminB.userId}`)]);
    expect([one.status, two.status].filter((st) => st === 204)).toHaveLength(1);
    expect([409, 404]).toContain(one.status === 204 ? two.status : one.status);
    const survivor = one.status === 204 ? adminB : b2;
    expect((await adminsOf(survivor)).map((m) => m.userId)).toEqual([survivor.userId]);
    adminB = survivor; // vendor B's remaining admin reads its audit log below
  });

  it('removing a member drops their live sockets and revokes their tokens', async () => {
    const m = await join(admin, 'release-manager');
    const t = await m.post<{ id: string; token: string }>('/tokens', { name: 'ci' });
    const byCookie = await live(hub.url, { cookie: m.sessionCookie! });
    const byToken = await live(hub.url, { token: t.body.token });
    const bystander = await live(hub.url, { cookie: viewer.sessionCookie! });
    try {
      const d1 = dropped(byCookie);
      const d2 = dropped(byToken);
      expectError(await adminB.call<Err>('DELETE', `/users/${m.userId}`), 404, 'NOT_FOUND');
      expectError(await xAdmin.call<Err>('DELETE', `/users/${m.userId}`), 404, 'NOT_FOUND');
      expect(byCookie.connected && byToken.connected).toBe(true);
      expect((await admin.call('DELETE', `/users/${m.userId}`)).status).toBe(204);
      expect(await d1.within(2000)).toBe('io server disconnect');
      expect(await d2.within(2000)).toBe('io server disconnect');
      expect(bystander.connected).toBe(true);
    } finally {
      for (const s of [byCookie, byToken, bystander]) s.close();
    }
    expectError(await m.bearer(t.body.token).get<Err>('/me'), 401, 'UNAUTHORIZED');
    expect((await m.get<{ items: unknown[] }>('/tokens')).body.items).toEqual([]);
    expectError(await m.get<Err>('/applications'), 404, 'NOT_FOUND');
    expect((await admin.get<{ items: Member[] }>('/users')).body.items.map((x) => x.userId)).not.toContain(m.userId);
  });
});

describe('audit', () => {
  let installationId: string;

  it('records deploys by vendor and customer users, with the customer', async () => {
    const app = await admin.post<{ id: string }>('/applications', { name: `shop-${randomSuffix()}`, kind: 'compose' });
    const version = await admin.post<{ id: string }>(`/applications/${app.body.id}/versions`, { version: '1.0.0', compose: { file: COMPOSE_V1 } });
    // Customers install releases their entitlement covers.
    const track = await admin.post<{ id: string }>('/tracks', { name: `shop-${randomSuffix()}`, applicationIds: [app.body.id] });
    const release = await admin.post<{ id: string }>(`/tracks/${track.body.id}/releases`, { version: '1.0.0', stages: [[{ applicationId: app.body.id, versionId: version.body.id }]] });
    expect((await admin.post(`/releases/${release.body.id}/lock`)).status).toBe(200);
    expect((await admin.post('/entitlements', { customerId: custX, trackId: track.body.id })).status).toBe(201);
    installationId = (await admin.post<{ id: string }>('/installations', { customerId: custX, name: 'main', environment: 'production', agentKind: 'compose', trackId: track.body.id })).body.id;
    expect((await admin.post(`/installations/${installationId}/deploy`, { versionId: version.body.id })).status).toBe(202);
    expect((await xAdmin.post(`/installations/${installationId}/deploy`, { releaseId: release.body.id })).status).toBe(202);
    const rows = await auditRows(admin, `action=installation.deploy&targetId=${installationId}`);
    expect(rows.map((r) => r.actor.email)).toEqual([xAdmin.email, admin.email]);
    expect(rows[0]).toMatchObject({ customerId: custX, vendorId: admin.vendorId, actor: { userId: xAdmin.userId, tokenId: null }, target: { type: 'installation', id: installationId, name: 'main (X Corp)' }, ip: '127.0.0.1' });
    names = { app: app.body.id, appName: (await admin.get<{ name: string }>(`/applications/${app.body.id}`)).body.name, version: version.body.id, track: track.body.id, release: release.body.id };
  });

  let names = { app: '', appName: '', version: '', track: '', release: '' };
  it('names each target with its type, as it was named then (a deleted customer keeps its name)', async () => {
    const [version] = await auditRows(admin, `action=version.create&targetId=${names.version}`);
    expect(version).toMatchObject({ target: { type: 'version', id: names.version, name: `${names.appName} 1.0.0` }, details: { applicationId: names.app } });
    const [release] = await auditRows(admin, `action=release.create&targetId=${names.release}`);
    expect(release?.target).toEqual({ type: 'release', id: names.release, name: expect.stringMatching(/^shop-\S+ 1\.0\.0$/) });
    expect(release?.details).toEqual({ trackId: names.track });
    const [lock] = await auditRows(admin, `action=release.lock&targetId=${names.release}`);
    expect(lock?.target.name).toBe(release?.target.name);

    const doomed = (await admin.post<{ id: string }>('/customers', { name: 'Doomed Corp' })).body.id;
    expect((await admin.call('PATCH', `/customers/${doomed}`, { name: 'Doomed Inc' })).status).toBe(200);
    expect((await admin.call('DELETE', `/customers/${doomed}`)).status).toBe(204);
    const onDoomed = await auditRows(admin, `targetId=${doomed}`);
    expect(onDoomed.map((r) => [r.action, r.target.type, r.target.name])).toEqual([
      ['customer.delete', 'customer', 'Doomed Inc'],
      ['customer.update', 'customer', 'Doomed Inc'],
      ['customer.create', 'customer', 'Doomed Corp'],
    ]);
    const [accepted] = await auditRows(admin, `action=invite.accept&targetId=${viewer.userId}`);
    expect(accepted?.target).toEqual({ type: 'user', id: viewer.userId, name: viewer.email });
  });

  it('filters by action (exact or prefix), actor and target', async () => {
    const creates = await auditRows(admin, 'action=customer.create');
    expect(creates.every((r) => r.action === 'customer.create')).toBe(true);
    expect(creates.map((r) => r.target.id)).toEqual(expect.arrayContaining([custX, custY]));
    const invites = await auditRows(admin, 'action=invite');
    expect(new Set(invites.map((r) => r.action))).toEqual(new Set(['invite.create', 'invite.accept', 'invite.revoke']));

    const byX = await auditRows(admin, `actorUserId=${xAdmin.userId}`);
    expect(byX.every((r) => r.actor.userId === xAdmin.userId && r.actor.email === xAdmin.email)).toBe(true);
    expect(byX.map((r) => r.action)).toEqual(expect.arrayContaining(['invite.accept', 'invite.create', 'invite.revoke', 'installation.deploy']));
    const onX = await auditRows(admin, `targetId=${custX}`);
    expect(onX.map((r) => r.action)).toEqual(['customer.create']);
    const onViewer = await auditRows(admin, `targetId=${viewer.userId}`);
    expect(onViewer.map((r) => r.action)).toEqual(['invite.accept']);
    expect(onViewer[0]?.actor.email).toBe(viewer.email);

    expectError(await admin.get<Err>('/audit?actorUserId=not-a-uuid'), 400, 'VALIDATION_FAILED');
  });

  it('pages newest first with before', async () => {
    const all = await auditRows(admin);
    expect(all.length).toBeGreaterThan(10);
    const ids = all.map((r) => Number(r.id));
    expect([...ids].sort((p, q) => q - p)).toEqual(ids);
    const first = await admin.get<{ items: AuditRow[]; nextBefore: string | null }>('/audit?limit=4');
    expect(first.body.items.map((r) => r.id)).toEqual(all.slice(0, 4).map((r) => r.id));
    expect(first.body.nextBefore).toBe(all[3]?.id);
    const second = await admin.get<{ items: AuditRow[] }>(`/audit?limit=4&before=${first.body.nextBefore}`);
    expect(second.body.items.map((r) => r.id)).toEqual(all.slice(4, 8).map((r) => r.id));
    expect((await auditRows(admin, '', 3)).map((r) => r.id)).toEqual(all.map((r) => r.id));
  });

  it('is for vendor admins only: customer users get 404, vendor non-admins 403, other vendors see nothing of it', async () => {
    expectError(await xAdmin.get<Err>('/audit'), 404, 'NOT_FOUND');
    expectError(await xViewer.get<Err>('/audit'), 404, 'NOT_FOUND');
    expectError(await viewer.get<Err>('/audit'), 403, 'FORBIDDEN');
    const rm = await join(admin, 'release-manager');
    expectError(await rm.get<Err>('/audit'), 403, 'FORBIDDEN');

    const theirs = await auditRows(adminB);
    expect(theirs.length).toBeGreaterThan(0);
    expect(theirs.every((r) => r.vendorId === adminB.vendorId)).toBe(true);
    const aEmails = new Set([admin.email, viewer.email, xAdmin.email, xViewer.email]);
    expect(theirs.filter((r) => aEmails.has(r.actor.email ?? '') || r.target.id === custX || r.target.id === installationId)).toEqual([]);
    expect(await auditRows(adminB, `targetId=${custX}`)).toEqual([]);
    expectError(await adminB.call<Err>('GET', '/audit', undefined, { 'x-flotilla-vendor': admin.vendorId }), 404, 'NOT_FOUND');
  });

  it('every successful state-changing call in this file left its audit row (actor, vendor, target, IP)', async () => {
    expect(journal.length).toBeGreaterThan(30);
    await expectEveryCallAudited(journal, [admin, adminB]);
  });
});

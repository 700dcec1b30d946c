import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import type { Invite, Member } from '@flotilla/protocol';
import { useMembersStore } from './members';
import { T0, json, stubFetch } from '../testing/fixtures';

const member = (userId: string, customerId: string | null = null, role = 'viewer'): Member => ({ userId, email: `${userId}@x.io`, name: userId, role, vendorId: 'v1', customerId, since: T0 });
const invite: Invite = { id: 'i1', email: 'new@x.io', role: 'viewer', vendorId: 'v1', customerId: null, createdAt: T0, expiresAt: T0, acceptedAt: null };

beforeEach(() => setActivePinia(createPinia()));
afterEach(() => vi.unstubAllGlobals());

describe('useMembersStore', () => {
  it('loads members, invites and (for vendor users) every page of customers', async () => {
    const calls = stubFetch(({ url }) => {
      if (url.startsWith('/api/v1/users')) return json(200, { items: [member('u2', 'c1'), member('u1')] });
      if (url.startsWith('/api/v1/invites')) return json(200, { items: [invite] });
      if (url.includes('cursor=')) return json(200, { items: [{ id: 'c2', name: 'Alpha' }], nextCursor: null });
      return json(200, { items: [{ id: 'c1', name: 'Zeta' }], nextCursor: 'p2' });
    });
    const store = useMembersStore();
    await store.load(true);
    expect(calls.map((c) => c.url).sort()).toEqual(['/api/v1/customers?limit=200', '/api/v1/customers?limit=200&cursor=p2', '/api/v1/invites', '/api/v1/users']);
    expect(store.sortedMembers.map((m) => m.userId)).toEqual(['u1', 'u2']);
    expect(store.customers.map((c) => c.name)).toEqual(['Zeta', 'Alpha']);
    expect(store.invites).toEqual([invite]);
    expect(store.loaded).toBe(true);
  });

  it('does not ask customer admins for the customer list (a vendor route)', async () => {
    const calls = stubFetch(({ url }) => json(200, { items: url.endsWith('/users') ? [member('u1', 'c1', 'admin')] : [] }));
    const store = useMembersStore();
    await store.load(false);
    expect(calls.map((c) => c.url).sort()).toEqual(['/api/v1/invites', '/api/v1/users']);
  });

  it('keeps the hub error', async () => {
    stubFetch(() => json(404, { error: { code: 'NOT_FOUND', message: 'Not found' } }));
    const store = useMembersStore();
    await store.load(false);
    expect(store.error).toBe('Not found');
    expect(store.loaded).toBe(false);
  });

  it('invites: returns the URL and lists the invite without it', async () => {
    const calls = stubFetch(() => json(201, { ...invite, inviteUrl: 'http://hub/invite/tok', mailed: false }));
    const store = useMembersStore();
    const created = await store.invite({ email: 'new@x.io', role: 'viewer' });
    expect(calls[0]).toMatchObject({ method: 'POST', url: '/api/v1/invites', body: { email: 'new@x.io', role: 'viewer' } });
    expect(created.inviteUrl).toBe('http://hub/invite/tok');
    expect(store.invites).toEqual([invite]);
  });

  it('revokes an invite', async () => {
    const calls = stubFetch(() => new Response(null, { status: 204 }));
    const store = useMembersStore();
    store.invites = [invite];
    await store.revokeInvite('i1');
    expect(calls[0]).toMatchObject({ method: 'DELETE', url: '/api/v1/invites/i1' });
    expect(store.invites).toEqual([]);
  });

  it('changes a role, naming the customer of a customer membership', async () => {
    const calls = stubFetch(({ body }) => json(200, { ...member('u2', 'c1'), role: (body as { role: string }).role }));
    const store = useMembersStore();
    store.members = [member('u2'), member('u2', 'c1')];
    await store.changeRole(member('u2', 'c1'), 'admin');
    expect(calls[0]).toMatchObject({ method: 'PATCH', url: '/api/v1/users/u2', body: { role: 'admin', customerId: 'c1' } });
    expect(store.members.map((m) => m.role)).toEqual(['viewer', 'admin']);
  });

  it('changes a vendor role without a customerId, and keeps the list when the hub refuses', async () => {
    const calls = stubFetch(() => json(409, { error: { code: 'CONFLICT', message: 'An organisation needs at least one admin' } }));
    const store = useMembersStore();
    store.members = [member('u1', null, 'admin')];
    await expect(store.changeRole(member('u1', null, 'admin'), 'viewer')).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(calls[0]?.body).toEqual({ role: 'viewer' });
    expect(store.members[0]?.role).toBe('admin');
  });

  it('removes a membership', async () => {
    const calls = stubFetch(() => new Response(null, { status: 204 }));
    const store = useMembersStore();
    store.members = [member('u1'), member('u2', 'c1')];
    await store.remove(member('u2', 'c1'));
    await store.remove(member('u1'));
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual(['DELETE /api/v1/users/u2?customerId=c1', 'DELETE /api/v1/users/u1']);
    expect(store.members).toEqual([]);
  });
});

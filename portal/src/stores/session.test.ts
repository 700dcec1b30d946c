import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { useSessionStore } from './session';
import { useFleetStore } from './fleet';
import { T0, installation, json, stubFetch } from '../testing/fixtures';

const user = { id: 'u1', email: 'ada@example.com', name: 'Ada', createdAt: T0 };
const memberships = [{ vendorId: 'v1', vendorName: 'Acme Software', customerId: null, customerName: null, role: 'admin' }];

beforeEach(() => setActivePinia(createPinia()));
afterEach(() => vi.unstubAllGlobals());

describe('useSessionStore', () => {
  it('treats a 401 from /me as signed out, and asks only once', async () => {
    const calls = stubFetch(() => json(401, { error: { code: 'UNAUTHORIZED', message: 'not signed in' } }));
    const session = useSessionStore();
    await Promise.all([session.ensureChecked(), session.ensureChecked()]);
    await session.ensureChecked();
    expect(session.isSignedIn).toBe(false);
    expect(calls).toHaveLength(1);
  });

  it('signs in with the login response', async () => {
    const calls = stubFetch(() => json(200, { user, memberships }));
    const session = useSessionStore();
    await session.login({ email: 'ada@example.com', password: 'correct horse' });
    expect(calls[0]).toMatchObject({ method: 'POST', url: '/api/v1/auth/login', body: { email: 'ada@example.com', password: 'correct horse' } });
    expect(session.user?.name).toBe('Ada');
    expect(session.vendorName).toBe('Acme Software');
    expect(session.home).toBe('/');
  });

  it('signs up, then takes the memberships from /me', async () => {
    const calls = stubFetch(({ url }) =>
      url.endsWith('/auth/signup')
        ? json(201, { user, vendor: { id: 'v1', name: 'Acme', createdAt: T0 } })
        : json(200, { user, memberships: [{ ...memberships[0], vendorName: 'Acme (from /me)' }] }),
    );
    const session = useSessionStore();
    await session.signup({ email: 'ada@example.com', password: 'correct horse', name: 'Ada', vendorName: 'Acme' });
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual(['POST /api/v1/auth/signup', 'GET /api/v1/me']);
    expect(session.vendorName).toBe('Acme (from /me)');
  });

  it('keeps the signup vendor when /me fails right after', async () => {
    stubFetch(({ url }) =>
      url.endsWith('/auth/signup') ? json(201, { user, vendor: { id: 'v1', name: 'Acme', createdAt: T0 } }) : json(500, { error: { code: 'INTERNAL', message: 'x' } }),
    );
    const session = useSessionStore();
    await session.signup({ email: 'ada@example.com', password: 'correct horse', name: 'Ada', vendorName: 'Acme' });
    expect(session.vendorName).toBe('Acme');
    expect(session.isSignedIn).toBe(true);
  });

  it('accepts an invite: signs in as the invited user and drops the previous user data', async () => {
    const customerMemberships = [{ vendorId: 'v1', vendorName: 'Acme Software', customerId: 'c1', customerName: 'Globex', role: 'admin' }];
    const calls = stubFetch(({ url }) => {
      if (url.endsWith('/auth/login')) return json(200, { user, memberships });
      if (url.startsWith('/api/v1/installations')) return json(200, { items: [installation('a')], nextCursor: null });
      return json(200, { user: { ...user, id: 'u2', name: 'Bob' }, memberships: customerMemberships });
    });
    const session = useSessionStore();
    const fleet = useFleetStore();
    await session.login({ email: 'ada@example.com', password: 'correct horse' });
    await fleet.load();
    await session.acceptInvite('tok/1', { name: 'Bob', password: 'long enough password' });
    expect(calls.at(-1)).toMatchObject({ method: 'POST', url: '/api/v1/invites/tok%2F1/accept', body: { name: 'Bob', password: 'long enough password' } });
    expect(session.user?.name).toBe('Bob');
    expect(session.home).toBe('/customer');
    expect(fleet.count).toBe(0);
  });

  it('keeps the current session when accepting fails', async () => {
    stubFetch(({ url }) =>
      url.endsWith('/auth/login') ? json(200, { user, memberships }) : json(409, { error: { code: 'CONFLICT', message: 'This invite has expired; ask for a new one' } }),
    );
    const session = useSessionStore();
    await session.login({ email: 'ada@example.com', password: 'correct horse' });
    await expect(session.acceptInvite('tok', { name: 'Bob', password: 'long enough password' })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(session.user?.name).toBe('Ada');
  });

  it('logs out and clears user data', async () => {
    stubFetch(({ url }) => {
      if (url.endsWith('/auth/login')) return json(200, { user, memberships });
      if (url.startsWith('/api/v1/installations')) return json(200, { items: [installation('a')], nextCursor: null });
      return new Response(null, { status: 204 });
    });
    const session = useSessionStore();
    const fleet = useFleetStore();
    await session.login({ email: 'ada@example.com', password: 'correct horse' });
    await fleet.load();
    await session.logout();
    expect(session.isSignedIn).toBe(false);
    expect(fleet.count).toBe(0);
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import type { ApiToken } from '@flotilla/protocol';
import { useTokensStore } from './tokens';
import { T0, json, stubFetch } from '../testing/fixtures';

const token = (id: string): ApiToken => ({ id, name: `t-${id}`, prefix: 'flt_abcd', vendorId: 'v1', customerId: null, role: 'viewer', createdAt: T0, expiresAt: null, lastUsedAt: null });

beforeEach(() => setActivePinia(createPinia()));
afterEach(() => vi.unstubAllGlobals());

describe('useTokensStore', () => {
  it('lists the tokens', async () => {
    stubFetch(() => json(200, { items: [token('a')] }));
    const store = useTokensStore();
    await store.load();
    expect(store.items).toEqual([token('a')]);
  });

  it('creates a token: the secret is returned, never kept in the list', async () => {
    const calls = stubFetch(() => json(201, { ...token('b'), token: 'flt_secret' }));
    const store = useTokensStore();
    store.items = [token('a')];
    const created = await store.create({ name: 't-b', role: 'viewer', expiresInDays: 30 });
    expect(calls[0]).toMatchObject({ method: 'POST', url: '/api/v1/tokens', body: { name: 't-b', role: 'viewer', expiresInDays: 30 } });
    expect(created.token).toBe('flt_secret');
    expect(store.items).toEqual([token('b'), token('a')]);
    expect(JSON.stringify(store.items)).not.toContain('flt_secret');
  });

  it('revokes a token', async () => {
    const calls = stubFetch(() => new Response(null, { status: 204 }));
    const store = useTokensStore();
    store.items = [token('a'), token('b')];
    await store.revoke('a');
    expect(calls[0]).toMatchObject({ method: 'DELETE', url: '/api/v1/tokens/a' });
    expect(store.items).toEqual([token('b')]);
  });

  it('keeps the hub error on load', async () => {
    stubFetch(() => json(500, { error: { code: 'INTERNAL', message: 'boom' } }));
    const store = useTokensStore();
    await store.load();
    expect(store.error).toBe('boom');
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { useAuditStore } from './audit';
import type { AuditRecord } from '../lib/audit';
import { T0, json, stubFetch } from '../testing/fixtures';

const entry = (id: string, action = 'invite.create'): AuditRecord => ({
  id,
  at: T0,
  action,
  actor: { userId: 'u1', tokenId: null, email: 'ada@x.io' },
  vendorId: 'v1',
  customerId: null,
  target: { type: 'invite', id: 'i1', name: null },
  ip: '127.0.0.1',
  details: null,
});

beforeEach(() => setActivePinia(createPinia()));
afterEach(() => vi.unstubAllGlobals());

describe('useAuditStore', () => {
  it('loads the newest page, then older ones with before=', async () => {
    const calls = stubFetch(({ url }) =>
      url.includes('before=') ? json(200, { items: [entry('1')], nextBefore: null }) : json(200, { items: [entry('3'), entry('2')], nextBefore: '2' }),
    );
    const store = useAuditStore();
    await store.load({ action: '' });
    expect(store.nextBefore).toBe('2');
    await store.loadMore();
    expect(calls.map((c) => c.url)).toEqual(['/api/v1/audit?limit=50', '/api/v1/audit?limit=50&before=2']);
    expect(store.entries.map((e) => e.id)).toEqual(['3', '2', '1']);
    expect(store.nextBefore).toBeNull();
    await store.loadMore();
    expect(calls).toHaveLength(2);
  });

  it('filters by action, replacing what is shown', async () => {
    const calls = stubFetch(({ url }) => json(200, { items: [url.includes('action=token') ? entry('9', 'token.create') : entry('3')], nextBefore: null }));
    const store = useAuditStore();
    await store.load({ action: '' });
    await store.load({ action: 'token' });
    expect(calls[1]?.url).toBe('/api/v1/audit?action=token&limit=50');
    expect(store.entries.map((e) => e.action)).toEqual(['token.create']);
    expect(store.filter).toEqual({ action: 'token' });
  });

  it('drops the answer to a filter that was replaced meanwhile', async () => {
    let release: (() => void) | undefined;
    stubFetch(async ({ url }) => {
      if (url.includes('action=invite')) {
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        return json(200, { items: [entry('1', 'invite.create')], nextBefore: '1' });
      }
      return json(200, { items: [entry('2', 'token.create')], nextBefore: null });
    });
    const store = useAuditStore();
    const slow = store.load({ action: 'invite' });
    await store.load({ action: 'token' });
    release?.();
    await slow;
    expect(store.entries.map((e) => e.action)).toEqual(['token.create']);
    expect(store.nextBefore).toBeNull();
    expect(store.loading).toBe(false);
  });

  it('keeps the hub error', async () => {
    stubFetch(() => json(404, { error: { code: 'NOT_FOUND', message: 'Not found' } }));
    const store = useAuditStore();
    await store.load();
    expect(store.error).toBe('Not found');
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import type { Application, ApplicationVersion, MeResponse, Track } from '@flotilla/protocol';
import { useCatalogStore } from './catalog';
import { useSessionStore } from './session';
import { T0, T1, json, stubFetch } from '../testing/fixtures';

const app = (id: string, name: string): Application => ({ id, vendorId: 'v1', name, kind: 'compose', description: null, createdAt: T0, updatedAt: T0 });
const track = (id: string, name: string, applicationIds: string[] = []): Track => ({ id, vendorId: 'v1', name, description: null, applicationIds, createdAt: T0, updatedAt: T0 });
const version = (id: string, createdAt: string): ApplicationVersion => ({ id, applicationId: 'a1', version: id, compose: { file: 'services: {}' }, helm: null, notes: null, createdAt, archivedAt: null, inUse: false });

beforeEach(() => setActivePinia(createPinia()));
afterEach(() => vi.unstubAllGlobals());

describe('useCatalogStore', () => {
  it('loads applications (all pages) and tracks, sorted by name', async () => {
    const calls = stubFetch((call) => {
      if (call.url.startsWith('/api/v1/applications?') && !call.url.includes('cursor')) return json(200, { items: [app('a2', 'web')], nextCursor: 'c2' });
      if (call.url.startsWith('/api/v1/applications?')) return json(200, { items: [app('a1', 'api')], nextCursor: null });
      return json(200, { items: [track('t2', 'Zeta'), track('t1', 'Acme')], nextCursor: null });
    });
    // Applications are loaded for vendor users (customer users see entitled tracks only).
    useSessionStore().me = { user: { id: 'u1', email: 'ada@example.com', name: 'Ada', createdAt: T0 }, memberships: [{ vendorId: 'v1', vendorName: 'Acme', customerId: null, customerName: null, role: 'admin' }] } as MeResponse;
    const store = useCatalogStore();
    await store.load();
    expect(store.applications.map((a) => a.name)).toEqual(['api', 'web']);
    expect(store.tracks.map((t) => t.name)).toEqual(['Acme', 'Zeta']);
    expect(store.applicationName('a2')).toBe('web');
    expect(store.applicationName('gone')).toBe('gone');
    expect(calls.map((c) => c.url)).toEqual(['/api/v1/applications?limit=200', '/api/v1/tracks', '/api/v1/applications?limit=200&cursor=c2']);
  });

  it('fetches versions once per application, newest first', async () => {
    const calls = stubFetch(() => json(200, { items: [version('1.0.0', T0), version('1.1.0', T1)], nextCursor: null }));
    const store = useCatalogStore();
    expect((await store.loadVersions('a1')).map((v) => v.version)).toEqual(['1.1.0', '1.0.0']);
    await store.loadVersions('a1');
    expect(calls).toHaveLength(1);
    await store.loadVersions('a1', true);
    expect(calls).toHaveLength(2);
  });

  it('creates a track and keeps the list sorted', async () => {
    const calls = stubFetch(() => json(201, track('t3', 'Beta', ['a1'])));
    const store = useCatalogStore();
    store.tracks = [track('t1', 'Acme'), track('t2', 'Zeta')];
    await store.createTrack({ name: 'Beta', applicationIds: ['a1'] });
    expect(calls[0]).toMatchObject({ method: 'POST', url: '/api/v1/tracks', body: { name: 'Beta', applicationIds: ['a1'] } });
    expect(store.tracks.map((t) => t.id)).toEqual(['t1', 't3', 't2']);
  });

  it('loads no applications for a customer user (they are the vendor\'s), only tracks', async () => {
    useSessionStore().me = { user: { id: 'u2', email: 'cy@example.com', name: 'Cy', createdAt: T0 }, memberships: [{ vendorId: 'v1', vendorName: 'Acme', customerId: 'c1', customerName: 'Globex', role: 'admin' }] } as MeResponse;
    const calls = stubFetch(() => json(200, { items: [track('t1', 'Acme')], nextCursor: null }));
    const store = useCatalogStore();
    await store.load();
    expect(store.applications).toEqual([]);
    expect(calls.map((c) => c.url)).toEqual(['/api/v1/tracks']);
  });

  it('keeps the hub error and forgets everything on reset', async () => {
    stubFetch(() => json(500, { error: { code: 'INTERNAL', message: 'boom' } }));
    const store = useCatalogStore();
    await store.load();
    expect(store.error).toBe('boom');
    store.tracks = [track('t1', 'Acme')];
    store.reset();
    expect(store.tracks).toEqual([]);
    expect(store.error).toBeNull();
  });
});

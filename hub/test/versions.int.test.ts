import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApplicationVersion, AuditPage, Release } from '@flotilla/protocol';
import { ApiClient, COMPOSE_V1 } from './api-client.js';
import { createTestDatabase, randomSuffix, startTestHub, type TestDatabase, type TestHub } from './helpers.js';

/** Version archive, restore and delete: what is in use stays, what is archived is not newly used. */

let tdb: TestDatabase;
let hub: TestHub;
let api: ApiClient;
let app: string;
let track: string;
let customer: string;
type Err = { error: { code: string; message: string } };

beforeAll(async () => {
  tdb = await createTestDatabase();
  hub = await startTestHub({ databaseUrl: tdb.url });
  api = new ApiClient(hub.url);
  await api.signup(randomSuffix());
  app = (await api.post<{ id: string }>('/applications', { name: 'core', kind: 'compose' })).body.id;
  track = (await api.post<{ id: string }>('/tracks', { name: 'Platform', applicationIds: [app] })).body.id;
  customer = (await api.post<{ id: string }>('/customers', { name: 'Acme' })).body.id;
});

afterAll(async () => {
  await hub.close();
  await tdb.drop();
});

async function version(v: string): Promise<ApplicationVersion> {
  const res = await api.post<ApplicationVersion>(`/applications/${app}/versions`, { version: v, compose: { file: COMPOSE_V1 } });
  expect(res.status).toBe(201);
  return res.body;
}

const getVersion = async (id: string) => (await api.get<ApplicationVersion>(`/applications/${app}/versions/${id}`)).body;
const patchVersion = (id: string, body: unknown) => api.call<ApplicationVersion & Err>('PATCH', `/applications/${app}/versions/${id}`, body);
const deleteVersion = (id: string) => api.call<Err | undefined>('DELETE', `/applications/${app}/versions/${id}`);

async function installation(trackId: string | null = null): Promise<string> {
  const res = await api.post<{ id: string }>('/installations', { customerId: customer, name: `i-${randomSuffix()}`, environment: 'prod', agentKind: 'compose', ...(trackId ? { trackId } : {}) });
  expect(res.status).toBe(201);
  return res.body.id;
}

async function audited(action: string, targetId: string) {
  const page = await api.get<AuditPage>(`/audit?action=${action}&targetId=${targetId}`);
  return page.body.items;
}

describe('archive and restore', () => {
  it('a new version is active and unused; archiving sets archivedAt, restoring clears it, notes stay', async () => {
    const v = await version('1.0.0');
    expect(v).toMatchObject({ archivedAt: null, inUse: false });

    const archived = await patchVersion(v.id, { archived: true, notes: 'superseded' });
    expect(archived.status).toBe(200);
    expect(archived.body.archivedAt).not.toBeNull();
    expect(Date.parse(archived.body.archivedAt ?? '')).toBeGreaterThan(Date.now() - 60_000);
    expect(archived.body.notes).toBe('superseded');

    // Archiving twice keeps the first date.
    expect((await patchVersion(v.id, { archived: true })).body.archivedAt).toBe(archived.body.archivedAt);

    // Still listed, as history.
    const list = await api.get<{ items: ApplicationVersion[] }>(`/applications/${app}/versions`);
    expect(list.body.items.find((i) => i.id === v.id)).toMatchObject({ archivedAt: archived.body.archivedAt, notes: 'superseded' });

    const restored = await patchVersion(v.id, { archived: false });
    expect(restored.body).toMatchObject({ archivedAt: null, notes: 'superseded' });

    const entries = await audited('version.update', v.id);
    expect(entries.map((e) => e.details)).toEqual([
      { applicationId: app, fields: ['archived'], archived: false },
      { applicationId: app, fields: ['archived'], archived: true },
      { applicationId: app, fields: ['notes', 'archived'], archived: true },
    ]);
  });

  it('refuses an empty or unknown patch', async () => {
    const v = await version('1.0.1');
    expect((await patchVersion(v.id, {})).status).toBe(400);
    expect((await patchVersion(v.id, { archived: 'yes' })).status).toBe(400);
    expect((await patchVersion(v.id, { version: '9.9.9' })).status).toBe(400);
  });

  it('an archived version cannot be deployed directly: 409 naming it', async () => {
    const v = await version('1.1.0');
    await patchVersion(v.id, { archived: true });
    const inst = await installation();
    const res = await api.post<Err>(`/installations/${inst}/deploy`, { versionId: v.id });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toBe('Version 1.1.0 of "core" is archived; restore it to deploy it, or deploy another version');

    await patchVersion(v.id, { archived: false });
    expect((await api.post(`/installations/${inst}/deploy`, { versionId: v.id })).status).toBe(202);
  });

  it('an archived version cannot be newly pinned by a release (create, clone, patch stages); a pin it already had stays', async () => {
    const v = await version('1.2.0');
    const other = await version('1.2.1');
    const kept = await api.post<Release>(`/tracks/${track}/releases`, { version: '1.2.0', stages: [[{ applicationId: app, versionId: v.id }]] });
    expect(kept.status).toBe(201);
    await patchVersion(v.id, { archived: true });

    const created = await api.post<Err>(`/tracks/${track}/releases`, { version: '1.2.5', stages: [[{ applicationId: app, versionId: v.id }]] });
    expect(created.status).toBe(409);
    expect(created.body.error.message).toBe('version 1.2.0 of "core" is archived: restore it or pin another version');

    const cloned = await api.post<Err>(`/tracks/${track}/releases`, { version: '1.2.6', cloneFrom: kept.body.id });
    expect(cloned.status).toBe(409);
    expect(cloned.body.error.message).toContain('version 1.2.0 of "core" is archived');

    const draft = await api.post<Release>(`/tracks/${track}/releases`, { version: '1.2.7', stages: [[{ applicationId: app, versionId: other.id }]] });
    const patched = await api.call<Err>('PATCH', `/releases/${draft.body.id}`, { stages: [[{ applicationId: app, versionId: v.id }]] });
    expect(patched.status).toBe(409);
    expect(patched.body.error.message).toContain('version 1.2.0 of "core" is archived');

    // The release that pinned it before it was archived keeps it through a stages edit.
    const again = await api.call<Release>('PATCH', `/releases/${kept.body.id}`, { stages: [[{ applicationId: app, versionId: v.id, instructions: 'Run it.' }]] });
    expect(again.status).toBe(200);
    expect(again.body.stages[0]?.[0]?.versionId).toBe(v.id);
  });
});

describe('in use and delete', () => {
  it('deletes a version never deployed and pinned by no release (204, audited), then it is gone', async () => {
    const v = await version('2.0.0');
    const res = await deleteVersion(v.id);
    expect(res.status).toBe(204);
    expect((await api.get<Err>(`/applications/${app}/versions/${v.id}`)).status).toBe(404);
    expect((await deleteVersion(v.id)).status).toBe(404);
    // Named as it was before it went.
    expect(await audited('version.delete', v.id)).toEqual([expect.objectContaining({ target: { type: 'version', id: v.id, name: 'core 2.0.0' }, details: { applicationId: app } })]);
  });

  it('a version pinned by a release is in use and cannot be deleted; once the draft is deleted, it can', async () => {
    const v = await version('2.1.0');
    const draft = await api.post<Release>(`/tracks/${track}/releases`, { version: '2.1.0', stages: [[{ applicationId: app, versionId: v.id }]] });
    expect((await getVersion(v.id)).inUse).toBe(true);
    const list = await api.get<{ items: ApplicationVersion[] }>(`/applications/${app}/versions?limit=100`);
    expect(list.body.items.find((i) => i.id === v.id)?.inUse).toBe(true);

    const refused = await deleteVersion(v.id);
    expect(refused.status).toBe(409);
    expect((refused.body as Err).error).toEqual({ code: 'CONFLICT', message: 'Version 2.1.0 of "core" has been deployed or is pinned by a release, so it cannot be deleted; archive it instead' });
    expect(await audited('version.delete', v.id)).toEqual([]);

    expect((await api.call('DELETE', `/releases/${draft.body.id}`)).status).toBe(204);
    expect((await getVersion(v.id)).inUse).toBe(false);
    expect((await deleteVersion(v.id)).status).toBe(204);
  });

  it('a version ever deployed directly stays in use after the installation moved on (and can still be archived)', async () => {
    const v = await version('2.2.0');
    const next = await version('2.2.1');
    const inst = await installation();
    expect((await api.post(`/installations/${inst}/deploy`, { versionId: v.id })).status).toBe(202);
    expect((await api.post(`/installations/${inst}/deploy`, { versionId: next.id })).status).toBe(202);
    expect((await getVersion(v.id)).inUse).toBe(true);
    expect((await deleteVersion(v.id)).status).toBe(409);
    expect((await patchVersion(v.id, { archived: true })).body.archivedAt).not.toBeNull();
    expect((await deleteVersion(v.id)).status).toBe(409);
  });

  it('a version deployed through a release stays in use after that release is rescinded and deleted', async () => {
    const v = await version('2.3.0');
    const r = (await api.post<Release>(`/tracks/${track}/releases`, { version: '2.3.0', stages: [[{ applicationId: app, versionId: v.id }]] })).body;
    expect((await api.post(`/releases/${r.id}/lock`)).status).toBe(200);
    await api.post('/entitlements', { customerId: customer, trackId: track });
    const inst = await installation(track);
    expect((await api.post(`/installations/${inst}/deploy`, { releaseId: r.id })).status).toBe(202);
    expect((await api.post(`/releases/${r.id}/rescind`)).status).toBe(200);
    expect((await api.call('DELETE', `/releases/${r.id}`)).status).toBe(204);
    expect((await getVersion(v.id)).inUse).toBe(true);
    expect((await deleteVersion(v.id)).status).toBe(409);
  });

  it('a version of another application is not found through this one', async () => {
    const otherApp = (await api.post<{ id: string }>('/applications', { name: 'other', kind: 'compose' })).body.id;
    const v = await version('2.4.0');
    expect((await api.call<Err>('DELETE', `/applications/${otherApp}/versions/${v.id}`)).status).toBe(404);
    expect((await api.call<Err>('DELETE', `/applications/${app}/versions/not-a-uuid`)).status).toBe(404);
    expect((await getVersion(v.id)).id).toBe(v.id);
  });
});

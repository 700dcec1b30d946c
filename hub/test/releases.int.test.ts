import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Release } from '@flotilla/protocol';
import { ApiClient, COMPOSE_V1 } from './api-client.js';
import { createTestDatabase, randomSuffix, startTestHub, type TestDatabase, type TestHub } from './helpers.js';

let tdb: TestDatabase;
let hub: TestHub;
let api: ApiClient;
const ids: Record<string, string> = {};
type Err = { error: { code: string; message: string } };

beforeAll(async () => {
  tdb = await createTestDatabase();
  hub = await startTestHub({ databaseUrl: tdb.url });
  api = new ApiClient(hub.url);
  await api.signup(randomSuffix());
  for (const name of ['migrator', 'api', 'web', 'outsider']) {
    ids[name] = (await api.post<{ id: string }>('/applications', { name, kind: 'compose' })).body.id;
    ids[`${name}@1`] = (await api.post<{ id: string }>(`/applications/${ids[name]}/versions`, { version: '1.0.0', compose: { file: COMPOSE_V1 } })).body.id;
  }
  ids.track = (await api.post<{ id: string }>('/tracks', { name: 'Acme Platform', applicationIds: [ids.migrator, ids.api, ids.web] })).body.id;
});

afterAll(async () => {
  await hub.close();
  await tdb.drop();
});

const stages = () => [
  [{ applicationId: ids.migrator ?? '', versionId: ids['migrator@1'] ?? '' }],
  [{ applicationId: ids.api ?? '', versionId: ids['api@1'] ?? '', instructions: '## Check\nRun the smoke test.' }],
  [{ applicationId: ids.web ?? '', versionId: ids['web@1'] ?? '' }],
];

async function release(version: string, extra: Record<string, unknown> = {}): Promise<Release> {
  const res = await api.post<Release>(`/tracks/${ids.track}/releases`, { version, stages: stages(), ...extra });
  expect(res.status).toBe(201);
  return res.body;
}

describe('tracks', () => {
  it('groups the vendor’s applications and refuses unknown ones', async () => {
    const t = await api.get<{ applicationIds: string[] }>(`/tracks/${ids.track}`);
    expect(t.body.applicationIds).toEqual([ids.migrator, ids.api, ids.web]);
    const bad = await api.post<Err>('/tracks', { name: 'Bad', applicationIds: ['00000000-0000-4000-8000-000000000000'] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('applicationIds');
    expect((await api.post<Err>('/tracks', { name: 'Acme Platform' })).status).toBe(409);
  });
});

describe('releases', () => {
  it('validates semver, keeps versions unique per track and lists newest first by precedence', async () => {
    const bad = await api.post<Err>(`/tracks/${ids.track}/releases`, { version: 'one.two' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('semantic version');
    for (const v of ['1.9.0', '1.10.0', '1.9.0-rc.1', '0.9.0']) await release(v);
    expect((await api.post<Err>(`/tracks/${ids.track}/releases`, { version: '1.9.0' })).status).toBe(409);
    const list = await api.get<{ items: Release[] }>(`/tracks/${ids.track}/releases`);
    expect(list.body.items.map((r) => r.version)).toEqual(['1.10.0', '1.9.0', '1.9.0-rc.1', '0.9.0']);
    expect(list.body.items[0]).toMatchObject({ status: 'draft', locked: false, deployment: 'none' });
  });

  it('checks stages: components of the track, once each, pinned to their own versions', async () => {
    const outsider = await api.post<Err>(`/tracks/${ids.track}/releases`, { version: '3.0.0', stages: [[{ applicationId: ids.outsider, versionId: ids['outsider@1'] }]] });
    expect(outsider.body.error.message).toContain('is not part of track');
    const twice = await api.post<Err>(`/tracks/${ids.track}/releases`, { version: '3.0.0', stages: [[{ applicationId: ids.api }], [{ applicationId: ids.api }]] });
    expect(twice.body.error.message).toContain('more than once');
    const wrong = await api.post<Err>(`/tracks/${ids.track}/releases`, { version: '3.0.0', stages: [[{ applicationId: ids.api, versionId: ids['web@1'] }]] });
    expect(wrong.body.error.message).toContain('is not a version of application');
  });

  it('locks only when every component is pinned and the checklist is ticked', async () => {
    const unpinned = (await api.post<Release>(`/tracks/${ids.track}/releases`, { version: '4.0.0', stages: [[{ applicationId: ids.api }]] })).body;
    const refused = await api.post<Err>(`/releases/${unpinned.id}/lock`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain('pinned application version');

    const r = await release('4.1.0', { checklist: ['Changelog reviewed', 'Backups verified'] });
    expect((await api.post<Err>(`/releases/${r.id}/lock`)).body.error.message).toContain('checklist');
    const ticked = await api.call<Release>('PATCH', `/releases/${r.id}`, { checklist: r.checklist.map((c) => ({ ...c, done: true })) });
    expect(ticked.status).toBe(200);
    const locked = await api.post<Release>(`/releases/${r.id}/lock`);
    expect(locked.body).toMatchObject({ status: 'ready', locked: true });
    expect(locked.body.lockedAt).toBeTruthy();
  });

  it('refuses every illegal transition with CONFLICT and a reason', async () => {
    const r = await release('5.0.0');
    for (const action of ['unlock', 'hold', 'resume', 'rescind']) {
      const res = await api.post<Err>(`/releases/${r.id}/${action}`);
      expect(res.status, action).toBe(409);
      expect(res.body.error.message).toMatch(/Cannot \w+ release 5\.0\.0: .+/);
    }
    await api.post(`/releases/${r.id}/lock`);
    const edit = await api.call<Err>('PATCH', `/releases/${r.id}`, { stages: stages().slice(0, 1) });
    expect(edit.status).toBe(409);
    expect(edit.body.error.message).toContain('change only in draft');
    expect((await api.call<Release>('PATCH', `/releases/${r.id}`, { notes: 'Fixes the **login** bug.' })).body.notes).toBe('Fixes the **login** bug.');
    expect((await api.post<Release>(`/releases/${r.id}/hold`)).body.status).toBe('hold');
    expect((await api.post<Err>(`/releases/${r.id}/lock`)).status).toBe(409);
    expect((await api.post<Release>(`/releases/${r.id}/resume`)).body.status).toBe('ready');
    expect((await api.post<Release>(`/releases/${r.id}/unlock`)).body.status).toBe('draft');
    expect((await api.call('DELETE', `/releases/${r.id}`)).status).toBe(204);
    expect((await api.get<Err>(`/releases/${r.id}`)).status).toBe(404);
  });

  it('clones an earlier release of the same track, with the checklist unticked', async () => {
    const source = await release('6.0.0', { checklist: ['Docs'], notes: 'Base notes' });
    await api.call('PATCH', `/releases/${source.id}`, { checklist: [{ text: 'Docs', done: true }] });
    const clone = await api.post<Release>(`/tracks/${ids.track}/releases`, { version: '6.1.0', cloneFrom: source.id });
    expect(clone.status).toBe(201);
    expect(clone.body.stages).toEqual(source.stages);
    expect(clone.body.checklist).toEqual([{ text: 'Docs', done: false }]);
    expect(clone.body.notes).toBe('Base notes');
    const other = (await api.post<{ id: string }>('/tracks', { name: `Other ${randomSuffix()}`, applicationIds: [ids.outsider] })).body.id;
    const cross = await api.post<Err>(`/tracks/${other}/releases`, { version: '1.0.0', cloneFrom: source.id });
    expect(cross.status).toBe(400);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Release, Rollout, RolloutPreview } from '@flotilla/protocol';
import { createDatabase, type Database } from '../src/infra/database.js';
import { ApiClient, COMPOSE_V1 } from './api-client.js';
import { createTestDatabase, randomSuffix, startTestHub, type TestDatabase, type TestHub } from './helpers.js';

/** POST /rollouts/preview: the waves POST /rollouts would form and who it leaves out, why; nothing created. */

let tdb: TestDatabase;
let hub: TestHub;
let db: Database;
let api: ApiClient;
const ids: Record<string, string> = {};
type Err = { error: { code: string; message: string } };

async function installation(name: string, customer: string, agentKind: 'compose' | 'helm', trackId: string | null): Promise<string> {
  const res = await api.post<{ id: string }>('/installations', { customerId: customer, name, environment: 'prod', agentKind, ...(trackId ? { trackId } : {}) });
  expect(res.status).toBe(201);
  return res.body.id;
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  hub = await startTestHub({ databaseUrl: tdb.url });
  db = createDatabase(tdb.url);
  api = new ApiClient(hub.url);
  await api.signup(randomSuffix());
  const app = (await api.post<{ id: string }>('/applications', { name: 'api', kind: 'compose' })).body.id;
  const version = (await api.post<{ id: string }>(`/applications/${app}/versions`, { version: '1.0.0', compose: { file: COMPOSE_V1 } })).body.id;
  ids.track = (await api.post<{ id: string }>('/tracks', { name: 'Platform', applicationIds: [app] })).body.id;
  ids.otherTrack = (await api.post<{ id: string }>('/tracks', { name: 'Other', applicationIds: [app] })).body.id;
  ids.release = (await api.post<Release>(`/tracks/${ids.track}/releases`, { version: '1.0.0', stages: [[{ applicationId: app, versionId: version }]] })).body.id;
  expect((await api.post(`/releases/${ids.release}/lock`)).status).toBe(200);
  ids.acme = (await api.post<{ id: string }>('/customers', { name: 'Acme' })).body.id;
  ids.globex = (await api.post<{ id: string }>('/customers', { name: 'Globex' })).body.id;
  expect((await api.post('/entitlements', { customerId: ids.acme, trackId: ids.track })).status).toBe(201);
  ids.a1 = await installation('a1', ids.acme, 'compose', ids.track);
  ids.a2 = await installation('a2', ids.acme, 'compose', ids.track);
  ids.a3 = await installation('a3', ids.acme, 'compose', ids.track);
  ids.helm = await installation('a-helm', ids.acme, 'helm', ids.track);
  ids.noTrack = await installation('a-none', ids.acme, 'compose', null);
  ids.other = await installation('a-other', ids.acme, 'compose', ids.otherTrack);
  ids.gone = await installation('a-gone', ids.acme, 'compose', ids.track);
  ids.globex1 = await installation('g1', ids.globex, 'compose', ids.track);
  // Being uninstalled (what DELETE ?uninstall=true sets while the agent works).
  await db('installations').where({ id: ids.gone }).update({ lifecycle: 'uninstalling' });
});

afterAll(async () => {
  await db.destroy();
  await hub.close();
  await tdb.drop();
});

const body = (targets: Record<string, unknown>, strategy: Record<string, unknown> = {}) => ({ releaseId: ids.release, targets, strategy: { waves: [{ count: 1 }, { percent: 100 }], ...strategy } });

describe('POST /rollouts/preview', () => {
  it('forms the waves of the eligible installations and says why every other matched one is left out', async () => {
    const res = await api.post<RolloutPreview>('/rollouts/preview', body({ all: true }));
    expect(res.status).toBe(200);
    expect(res.body.waves).toEqual([
      { index: 0, installationIds: [ids.a1] },
      { index: 1, installationIds: [ids.a2, ids.a3] },
    ]);
    expect(res.body.eligibleCount).toBe(3);
    expect(res.body.ineligible).toEqual([
      { installationId: ids.helm, name: 'a-helm', customerName: 'Acme', reason: 'wrong-agent-kind', message: 'release 1.0.0 has no component for its helm agent' },
      { installationId: ids.noTrack, name: 'a-none', customerName: 'Acme', reason: 'no-track', message: 'not on a release track' },
      { installationId: ids.other, name: 'a-other', customerName: 'Acme', reason: 'other-track', message: "on another track than this release's" },
      { installationId: ids.gone, name: 'a-gone', customerName: 'Acme', reason: 'uninstalling', message: 'being uninstalled' },
      { installationId: ids.globex1, name: 'g1', customerName: 'Globex', reason: 'not-entitled', message: 'Globex is not entitled to release 1.0.0' },
    ]);
    // Nothing was created.
    expect((await api.get<{ items: Rollout[] }>('/rollouts')).body.items).toEqual([]);
  });

  it('lists explicitly named ineligible installations that POST /rollouts refuses', async () => {
    const named = body({ installationIds: [ids.a1, ids.noTrack] });
    const preview = await api.post<RolloutPreview>('/rollouts/preview', named);
    expect(preview.status).toBe(200);
    expect(preview.body.waves).toEqual([{ index: 0, installationIds: [ids.a1] }]);
    expect(preview.body.ineligible.map((i) => [i.name, i.reason])).toEqual([['a-none', 'no-track']]);
    const created = await api.post<Err>('/rollouts', named);
    expect(created.status).toBe(400);
    expect(created.body.error.message).toContain('a-none do not run this release\'s track');
  });

  it('shows no eligible installation as an empty preview, not an error', async () => {
    const res = await api.post<RolloutPreview>('/rollouts/preview', body({ customerIds: [ids.globex] }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ waves: [], eligibleCount: 0 });
    expect(res.body.ineligible.map((i) => i.reason)).toEqual(['not-entitled']);
  });

  it('refuses what POST /rollouts refuses about the body: unknown installations, wave members not eligible, a release not ready', async () => {
    const unknown = await api.post<Err>('/rollouts/preview', body({ installationIds: ['00000000-0000-4000-8000-000000000000'] }));
    expect(unknown.status).toBe(400);
    const stranger = await api.post<Err>('/rollouts/preview', body({ all: true }, { waves: [{ installationIds: [ids.helm] }] }));
    expect(stranger.status).toBe(400);
    expect(stranger.body.error.message).toContain('are not targets of this rollout');
    const draft = (await api.post<Release>(`/tracks/${ids.track}/releases`, { version: '2.0.0' })).body.id;
    expect((await api.post<Err>('/rollouts/preview', { releaseId: draft, targets: { all: true } })).status).toBe(409);
  });

  it('matches the rollout POST /rollouts then creates: same members, same waves', async () => {
    const preview = (await api.post<RolloutPreview>('/rollouts/preview', body({ all: true }, { respectMaintenanceWindows: false, requireCustomerApproval: true }))).body;
    const created = await api.post<Rollout>('/rollouts', body({ all: true }, { respectMaintenanceWindows: false, requireCustomerApproval: true }));
    expect(created.status).toBe(201);
    const waves = new Map<number, string[]>();
    for (const t of created.body.targets) waves.set(t.wave, [...(waves.get(t.wave) ?? []), t.installationId]);
    expect(preview.waves.map((w) => [w.index, [...w.installationIds].sort()])).toEqual([...waves].sort(([a], [b]) => a - b).map(([i, m]) => [i, [...m].sort()]));
  });
});

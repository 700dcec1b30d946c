import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AgentCredentials, Release, Rollout } from '@flotilla/protocol';
import { ApiClient } from './api-client.js';
import { createTestDatabase, dropRedisPrefix, freePort, randomSuffix, REDIS_URL, waitFor, type TestDatabase } from './helpers.js';
import { spawnHub, type HubProcess } from './hub-process.js';
import { resilientAgent } from './sim-fleet.js';

/**
 * Crash safety and multi-node: hub processes are killed with SIGKILL in the middle of a rollout;
 * after a restart (or with the other node taking over) the rollout completes, and every target got
 * each stage exactly once, at the right version.
 */
type Agent = ReturnType<typeof resilientAgent>;
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

async function setupFleet(api: ApiClient, count: number): Promise<{ releaseId: string; installations: { id: string; creds: AgentCredentials }[] }> {
  await api.signup(randomSuffix());
  const stages: { applicationId: string; versionId: string }[][] = [];
  const appIds: string[] = [];
  for (const name of ['db', 'api']) {
    const app = (await api.post<{ id: string }>('/applications', { name, kind: 'compose' })).body.id;
    const version = (await api.post<{ id: string }>(`/applications/${app}/versions`, { version: '3.1.0', compose: { file: `services:\n  ${name}:\n    image: sim/${name}:3.1.0\n` } })).body.id;
    appIds.push(app);
    stages.push([{ applicationId: app, versionId: version }]);
  }
  const track = (await api.post<{ id: string }>('/tracks', { name: 'Crash', applicationIds: appIds })).body.id;
  const releaseId = (await api.post<Release>(`/tracks/${track}/releases`, { version: '3.1.0', stages })).body.id;
  expect((await api.post(`/releases/${releaseId}/lock`)).status).toBe(200);
  const customer = (await api.post<{ id: string }>('/customers', { name: 'Crash Co' })).body.id;
  await api.post('/entitlements', { customerId: customer, trackId: track });
  const installations = [];
  for (let i = 0; i < count; i++) {
    const id = (await api.post<{ id: string }>('/installations', { customerId: customer, name: `node-${i}`, environment: 'prod', agentKind: 'compose', trackId: track })).body.id;
    installations.push({ id, creds: (await api.post<AgentCredentials>(`/installations/${id}/agent-credentials`)).body });
  }
  return { releaseId, installations };
}

async function startRollout(api: ApiClient, releaseId: string, ids: string[]): Promise<string> {
  const res = await api.post<Rollout>('/rollouts', { releaseId, targets: { installationIds: ids }, strategy: { maxParallel: 2, respectMaintenanceWindows: false } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

async function statusOf(api: ApiClient, id: string): Promise<Rollout | undefined> {
  const res = await api.get<Rollout>(`/rollouts/${id}`).catch(() => undefined);
  return res?.status === 200 ? res.body : undefined;
}

/** Each target received stage 1 and stage 2 once, and each agent applied each revision once. */
async function assertExactlyOnce(api: ApiClient, rolloutId: string, agents: Agent[]): Promise<void> {
  const done = await statusOf(api, rolloutId);
  expect(done?.targets.every((t) => t.status === 'succeeded' && t.stage === 2)).toBe(true);
  const events = (await api.get<{ items: { installationId: string | null; type: string; stage: number | null }[] }>(`/rollouts/${rolloutId}/timeline`)).body.items;
  for (const a of agents) {
    const mine = events.filter((e) => e.installationId === a.installationId);
    expect(mine.filter((e) => e.type === 'stage-sent').map((e) => e.stage)).toEqual([1, 2]);
    expect(mine.filter((e) => e.type === 'succeeded')).toHaveLength(1);
    expect(new Set(a.applies).size).toBe(a.applies.length);
    expect(a.applies).toHaveLength(2);
    expect(a.received.at(-1)?.components.map((c) => `${c.name}@${c.version}`).sort()).toEqual(['api@3.1.0', 'db@3.1.0']);
  }
}

async function crashMidway(mode: 'redis' | 'embedded'): Promise<void> {
  const port = await freePort();
  const cwd = await mkdtemp(path.join(tmpdir(), 'flotilla-crash-'));
  cleanups.push(() => rm(cwd, { recursive: true, force: true }));
  let env: Record<string, string>;
  if (mode === 'redis') {
    const tdb: TestDatabase = await createTestDatabase();
    const prefix = `flotilla_test_${randomSuffix()}`;
    cleanups.push(() => tdb.drop());
    cleanups.push(() => dropRedisPrefix(prefix));
    env = { DATABASE_URL: tdb.url, REDIS_URL, REDIS_PREFIX: prefix };
  } else {
    env = { EMBEDDED_PG_PORT: String(await freePort()) };
  }
  // Info-level logs: a rollout that does not complete prints what the new hub did.
  env.LOG_LEVEL = 'info';
  let hub: HubProcess = await spawnHub({ port, cwd, env });
  cleanups.push(() => hub.stop());
  const api = new ApiClient(hub.url);
  const { releaseId, installations } = await setupFleet(api, 8);
  const agents = installations.map((i) => resilientAgent([hub.url], i.id, i.creds.agentId, i.creds.secret, 400));
  cleanups.push(async () => agents.forEach((a) => a.close()));
  const rolloutId = await startRollout(api, releaseId, installations.map((i) => i.id));

  await waitFor(async () => {
    const r = await statusOf(api, rolloutId);
    const done = r?.targets.filter((t) => t.status === 'succeeded').length ?? 0;
    return done >= 2 && r?.status === 'running' ? true : undefined;
  }, 60_000, 'the rollout to be under way');
  await hub.kill();
  hub = await spawnHub({ port, cwd, env });
  try {
    await waitFor(async () => ((await statusOf(api, rolloutId))?.status === 'completed' ? true : undefined), 90_000, 'the rollout to complete after the crash');
  } catch (err) {
    // Where it stopped (rare, under load): each target's state, what each agent got, and the new hub's log.
    const r = await statusOf(api, rolloutId);
    const targets = r?.targets.map((t) => `${t.installationId.slice(0, 8)} ${t.status} stage ${t.stage} ${t.waitingFor ?? ''} ${t.message ?? ''}`).join('\n');
    const stuck = await Promise.all(
      (r?.targets ?? []).filter((t) => t.status !== 'succeeded').map(async (t) => `${JSON.stringify(t)}\n  status: ${JSON.stringify((await api.get(`/installations/${t.installationId}/status`)).body)}`),
    );
    const got = agents.map((a) => `${a.installationId.slice(0, 8)} connected=${a.socket.connected} received=${a.received.map((d) => d.revision).join(',')} applied=${a.applies.join(',')}`).join('\n');
    throw new Error(`${err instanceof Error ? err.message : String(err)}\nrollout ${r?.status ?? '?'} ${r?.message ?? ''}\n${targets ?? ''}\nnot succeeded:\n${stuck.join('\n')}\nagents:\n${got}\nhub log:\n${hub.output()}`, { cause: err });
  }
  await assertExactlyOnce(api, rolloutId, agents);
}

describe('crash safety', { timeout: 240_000 }, () => {
  it('kill -9 of the hub mid-rollout (PostgreSQL + Redis): restarts and completes, every target exactly once', async () => {
    await crashMidway('redis');
  });

  it('kill -9 of the hub mid-rollout (embedded PostgreSQL, BullMQ on PostgreSQL): restarts and completes, every target exactly once', async () => {
    await crashMidway('embedded');
  });
});

describe('multi-node', { timeout: 240_000 }, () => {
  it('two hub processes share PostgreSQL and Redis; one is killed mid-rollout, its agents move to the other, the rollout completes', async () => {
    const tdb = await createTestDatabase();
    const prefix = `flotilla_test_${randomSuffix()}`;
    cleanups.push(() => tdb.drop());
    cleanups.push(() => dropRedisPrefix(prefix));
    const env = { DATABASE_URL: tdb.url, REDIS_URL, REDIS_PREFIX: prefix };
    const cwd = await mkdtemp(path.join(tmpdir(), 'flotilla-multi-'));
    cleanups.push(() => rm(cwd, { recursive: true, force: true }));
    const a = await spawnHub({ port: await freePort(), cwd, env });
    const b = await spawnHub({ port: await freePort(), cwd, env });
    cleanups.push(() => a.stop());
    cleanups.push(() => b.stop());
    const api = new ApiClient(b.url);
    const { releaseId, installations } = await setupFleet(api, 8);
    // half the agents on each node; when their node dies they try the other
    const agents = installations.map((i, k) => resilientAgent(k % 2 === 0 ? [a.url, b.url] : [b.url, a.url], i.id, i.creds.agentId, i.creds.secret, 400));
    cleanups.push(async () => agents.forEach((x) => x.close()));
    await waitFor(async () => {
      const list = await api.get<{ items: { status: { online: boolean } }[] }>('/installations?limit=100');
      return list.body.items.filter((i) => i.status.online).length === installations.length ? true : undefined;
    }, 30_000, 'every agent online');
    const rolloutId = await startRollout(api, releaseId, installations.map((i) => i.id));
    await waitFor(async () => (((await statusOf(api, rolloutId))?.targets.filter((t) => t.status === 'succeeded').length ?? 0) >= 2 ? true : undefined), 60_000, 'the rollout to be under way');
    await a.kill();
    let last: Awaited<ReturnType<typeof statusOf>>;
    await waitFor(async () => ((last = await statusOf(api, rolloutId))?.status === 'completed' ? true : undefined), 90_000, 'the rollout to complete on the surviving node').catch(async (err: unknown) => {
      const targets = last?.targets.map((t) => `${t.status}/${t.waitingFor ?? '-'}@${t.stage}`).join(', ');
      const stuck = await Promise.all((last?.targets ?? []).filter((t) => t.status !== 'succeeded').map(async (t) => JSON.stringify((await api.get(`/installations/${t.installationId}/status`)).body)));
      throw new Error(`${(err as Error).message}: rollout ${last?.status}, targets ${targets}; stuck: ${stuck.join(' ')}\n${b.output()}`);
    });
    await assertExactlyOnce(api, rolloutId, agents);
  });
});

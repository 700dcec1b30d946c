import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentCredentials, Release, Rollout } from '@flotilla/protocol';
import { ApiClient } from './api-client.js';
import { createTestDatabase, metricSample, randomSuffix, startTestHub, waitFor, type TestDatabase, type TestHub } from './helpers.js';
import { simAgent, type SimAgent } from './sim-fleet.js';

let tdb: TestDatabase;
let hub: TestHub;
let api: ApiClient;
const ids: Record<string, string> = {};
const agents = new Map<string, SimAgent>();
const file = (n: string) => `services:\n  ${n}:\n    image: sim/${n}:1\n`;

async function installations(count: number, prefix: string, delayMs?: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = (await api.post<{ id: string }>('/installations', { customerId: ids.customer, name: `${prefix}-${i}`, environment: 'prod', agentKind: 'compose', trackId: ids.track })).body.id;
    const creds = (await api.post<AgentCredentials>(`/installations/${id}/agent-credentials`)).body;
    agents.set(id, await simAgent(hub.url, id, creds.agentId, creds.secret, delayMs));
    out.push(id);
  }
  return out;
}

async function rollout(targets: string[], strategy: Record<string, unknown>): Promise<Rollout> {
  const res = await api.post<Rollout>('/rollouts', { releaseId: ids.release, targets: { installationIds: targets }, strategy: { respectMaintenanceWindows: false, ...strategy } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

const get = async (id: string) => (await api.get<Rollout>(`/rollouts/${id}`)).body;
const timeline = async (id: string) => (await api.get<{ items: { installationId: string | null; type: string; stage: number | null; at: string }[] }>(`/rollouts/${id}/timeline`)).body.items;

beforeAll(async () => {
  tdb = await createTestDatabase();
  hub = await startTestHub({ databaseUrl: tdb.url });
  api = new ApiClient(hub.url);
  await api.signup(randomSuffix());
  const stages: { applicationId: string; versionId: string }[][] = [];
  for (const name of ['db', 'api']) {
    const app = (await api.post<{ id: string }>('/applications', { name, kind: 'compose' })).body.id;
    const version = (await api.post<{ id: string }>(`/applications/${app}/versions`, { version: '2.0.0', compose: { file: file(name) } })).body.id;
    ids[name] = app;
    stages.push([{ applicationId: app, versionId: version }]);
  }
  ids.track = (await api.post<{ id: string }>('/tracks', { name: 'Platform', applicationIds: [ids.db, ids.api] })).body.id;
  ids.release = (await api.post<Release>(`/tracks/${ids.track}/releases`, { version: '2.0.0', stages })).body.id;
  expect((await api.post(`/releases/${ids.release}/lock`)).status).toBe(200);
  ids.customer = (await api.post<{ id: string }>('/customers', { name: 'Fleet Co' })).body.id;
  expect((await api.post('/entitlements', { customerId: ids.customer, trackId: ids.track })).status).toBe(201);
}, 180_000);

afterAll(async () => {
  for (const a of agents.values()) a.socket.disconnect();
  await hub.close();
  await tdb.drop();
});

describe('rollout engine with simulated agents', { timeout: 180_000 }, () => {
  it('50 installations, waves [1, 10%, 100%], maxParallel 5: order and concurrency from the persisted timeline', async () => {
    const targets = await installations(50, 'fleet');
    const r = await rollout(targets, { waves: [{ count: 1 }, { percent: 10 }, { percent: 100 }], maxParallel: 5 });
    expect(r.waves.map((w) => w.total)).toEqual([1, 5, 44]);
    await waitFor(async () => ((await get(r.id)).status === 'completed' ? true : undefined), 150_000, 'the rollout to complete');
    const done = await get(r.id);
    expect(done.targets.every((t) => t.status === 'succeeded' && t.stage === 2)).toBe(true);

    const events = await timeline(r.id);
    const waveOf = new Map(done.targets.map((t) => [t.installationId, t.wave]));
    // concurrency: an installation deploys from its stage 1 until it succeeded
    let active = 0;
    let maxActive = 0;
    for (const e of events) {
      if (e.type === 'stage-sent' && e.stage === 1) active += 1;
      if (e.type === 'succeeded') active -= 1;
      maxActive = Math.max(maxActive, active);
    }
    expect(maxActive).toBeLessThanOrEqual(5);
    expect(maxActive).toBeGreaterThan(1);
    // waves in order: no stage of wave w+1 before every target of wave w succeeded
    for (let w = 1; w < 3; w++) {
      const firstStart = events.findIndex((e) => e.type === 'stage-sent' && waveOf.get(e.installationId ?? '') === w);
      const lastPrev = Math.max(...events.map((e, i) => (e.type === 'succeeded' && waveOf.get(e.installationId ?? '') === w - 1 ? i : -1)));
      expect(firstStart).toBeGreaterThan(lastPrev);
    }
    // per installation: stage 2 only after stage 1
    for (const id of targets) {
      const mine = events.filter((e) => e.installationId === id && e.type === 'stage-sent').map((e) => e.stage);
      expect(mine).toEqual([1, 2]);
    }
    // each agent got exactly two desired revisions, the second with both components at 2.0.0
    const agent = agents.get(targets[0] ?? '') as SimAgent;
    expect(agent.received.map((d) => d.components.map((c) => c.name).sort())).toEqual([['db'], ['api', 'db']]);
  });

  it('a failure pauses the rollout; resume finishes it', async () => {
    const targets = await installations(4, 'pause');
    agents.get(targets[1] ?? '')?.failing.add('api');
    const r = await rollout(targets, { maxParallel: 1 });
    const paused = await waitFor(async () => {
      const x = await get(r.id);
      return x.status === 'paused' ? x : undefined;
    }, 60_000, 'the rollout to pause');
    expect(paused.targets.find((t) => t.installationId === targets[1])?.status).toBe('failed');
    expect(paused.message).toContain('failed');
    expect((await api.post<Rollout>(`/rollouts/${r.id}/resume`)).body.status).toBe('running');
    const done = await waitFor(async () => {
      const x = await get(r.id);
      return x.status === 'completed' ? x : undefined;
    }, 60_000, 'the rollout to complete');
    expect(done.targets.map((t) => t.status)).toEqual(['succeeded', 'failed', 'succeeded', 'succeeded']);
  });

  it('rollback policy returns the failed installation to its previous revision, stage by stage', async () => {
    const [target] = await installations(1, 'rollback');
    const agent = agents.get(target ?? '') as SimAgent;
    agent.failing.add('api');
    const r = await rollout([target ?? ''], { failurePolicy: 'rollback', maxFailures: 1 });
    const done = await waitFor(async () => {
      const x = await get(r.id);
      return x.status === 'completed' ? x : undefined;
    }, 60_000, 'the rollout to finish');
    expect(done.targets[0]?.status).toBe('rolled_back');
    const events = (await timeline(r.id)).filter((e) => e.installationId === target).map((e) => `${e.type}${e.stage ? `@${e.stage}` : ''}`);
    expect(events).toEqual(['stage-sent@1', 'stage-sent@2', 'rollback-stage@2', 'rollback-stage@1', 'rolled_back']);
    // back where it started: nothing was installed before the rollout
    expect(agent.received.at(-1)?.components).toEqual([]);
    // Its message says which check failed, as the agent reported it.
    expect(done.targets[0]?.message).toBe('stage 2 failed: api failed (simulated failure)');
  });

  it('rollback with the default maxFailures 0 finishes by itself: the failed installation walks back, the rest is skipped, the rollout ends rolled_back', async () => {
    const [canary, other] = await installations(2, 'rb-zero');
    const agent = agents.get(canary ?? '') as SimAgent;
    agent.failing.add('api');
    const r = await rollout([canary ?? '', other ?? ''], { failurePolicy: 'rollback', waves: [{ installationIds: [canary] }, { percent: 100 }] });
    const done = await waitFor(async () => {
      const x = await get(r.id);
      if (x.status === 'paused') throw new Error(`paused: ${x.message ?? ''}`);
      return x.status === 'rolled_back' ? x : undefined;
    }, 60_000, 'the rollout to end rolled back');
    expect(done.message).toBe('1 failure exceeds maxFailures (0): failed installations rolled back');
    expect(done.finishedAt).not.toBeNull();
    const byId = new Map(done.targets.map((t) => [t.installationId, t]));
    expect(byId.get(canary ?? '')).toMatchObject({ status: 'rolled_back', message: 'stage 2 failed: api failed (simulated failure)', blocker: null });
    expect(byId.get(other ?? '')).toMatchObject({ status: 'skipped', stage: 0, blocker: null });
    expect(byId.get(other ?? '')?.message).toContain('not started');
    expect(agents.get(other ?? '')?.received).toEqual([]);
    expect((await timeline(r.id)).filter((e) => e.installationId === null).map((e) => e.type)).toEqual(['created', 'started', 'rolled_back']);
    // The installation shows what it runs again (it had nothing before), not a rollout stage.
    const status = (await api.get<{ desiredVersion: string | null }>(`/installations/${canary}/status`)).body;
    expect(status.desiredVersion).toBeNull();
  });

  it('a paused rollout carries a rollback in flight to its end; resumed, it ends rolled_back', async () => {
    const [target] = await installations(1, 'rb-paused', 1500);
    (agents.get(target ?? '') as SimAgent).failing.add('api');
    const r = await rollout([target ?? ''], { failurePolicy: 'rollback' });
    await waitFor(async () => ((await get(r.id)).targets[0]?.status === 'rolling_back' ? true : undefined), 60_000, 'the rollback to begin');
    expect((await api.post<Rollout>(`/rollouts/${r.id}/pause`)).body.status).toBe('paused');
    const back = await waitFor(async () => {
      const x = await get(r.id);
      return x.targets[0]?.status === 'rolled_back' ? x : undefined;
    }, 60_000, 'the rollback to finish while paused');
    expect(back.status).toBe('paused');
    expect((await api.post<Rollout>(`/rollouts/${r.id}/resume`)).body.status).toBe('running');
    await waitFor(async () => ((await get(r.id)).status === 'rolled_back' ? true : undefined), 60_000, 'the rollout to end rolled back');
  });

  it('an aborted rollout leaves no target pending or in flight', async () => {
    const [first, second] = await installations(2, 'abort', 2000);
    const r = await rollout([first ?? '', second ?? ''], { maxParallel: 1 });
    await waitFor(async () => ((await get(r.id)).targets.some((t) => t.status === 'deploying') ? true : undefined), 60_000, 'a stage in flight');
    const aborted = (await api.post<Rollout>(`/rollouts/${r.id}/abort`)).body;
    expect(aborted.status).toBe('aborted');
    const statuses = aborted.targets.map((t) => t.status).sort();
    expect(statuses).toEqual(['failed', 'skipped']);
    expect(aborted.targets.find((t) => t.status === 'failed')?.message).toBe('the rollout was aborted during stage 1/2');
    expect(aborted.targets.find((t) => t.status === 'skipped')?.message).toBe('not started: the rollout was aborted');
    expect(aborted.waves.reduce((n, w) => n + w.finished, 0)).toBe(2);
  });

  it('refuses targets off the track and a release that is not ready', async () => {
    const stray = (await api.post<{ id: string }>('/installations', { customerId: ids.customer, name: 'stray', environment: 'qa', agentKind: 'compose' })).body.id;
    const res = await api.post<{ error: { message: string } }>('/rollouts', { releaseId: ids.release, targets: { installationIds: [stray] } });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain("do not run this release's track");
    const draft = (await api.post<Release>(`/tracks/${ids.track}/releases`, { version: '3.0.0' })).body.id;
    expect((await api.post('/rollouts', { releaseId: draft, targets: { all: true } })).status).toBe(409);
  });

  it('a rescinded release that was rolled out cannot be deleted: 409 saying why, not a server error', async () => {
    expect((await api.post(`/releases/${ids.release}/rescind`)).status).toBe(200);
    const res = await api.call<{ error: { code: string; message: string } }>('DELETE', `/releases/${ids.release}`);
    expect(res.status).toBe(409);
    expect(res.body.error.message).toBe('Release 2.0.0 was rolled out; its rollouts keep it in their history, so it cannot be deleted (it stays rescinded)');
    expect((await api.get<Release>(`/releases/${ids.release}`)).body.status).toBe('rescinded');
  });

  it('reports where its steps spent their time: every phase of every step that changed something, in the metrics', async () => {
    const text = await (await fetch(`${hub.url}/metrics`)).text();
    const count = (phase: string) => metricSample(text, 'flotilla_rollout_step_seconds_count', { phase }) ?? 0;
    const seconds = (phase: string) => metricSample(text, 'flotilla_rollout_step_seconds_sum', { phase }) ?? 0;
    // The rollouts above took dozens of steps that sent stages or finished targets.
    expect(count('read')).toBeGreaterThan(10);
    for (const phase of ['lock', 'plan', 'persist', 'commit', 'deliver']) expect(count(phase), phase).toBe(count('read'));
    expect(seconds('persist')).toBeGreaterThan(0);
    expect(seconds('lock') + seconds('read') + seconds('plan') + seconds('persist') + seconds('commit') + seconds('deliver')).toBeLessThan(count('read') * 5);
  });
});

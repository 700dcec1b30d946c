import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import type { AgentCredentials, LiveClientToServerEvents, LiveServerToClientEvents, Release, Rollout, RolloutProgress } from '@flotilla/protocol';
import { ApiClient } from './api-client.js';
import { createTestDatabase, randomSuffix, startTestHub, waitFor, type TestDatabase, type TestHub } from './helpers.js';
import { simAgent, type SimAgent } from './sim-fleet.js';

/** Approval, maintenance windows, offline agents and live progress, with simulated agents. */
let tdb: TestDatabase;
let hub: TestHub;
let vendor: ApiClient;
let customerAdmin: ApiClient;
const ids: Record<string, string> = {};
const agents: SimAgent[] = [];

async function installation(name: string, withAgent = true): Promise<{ id: string; creds: AgentCredentials }> {
  const id = (await vendor.post<{ id: string }>('/installations', { customerId: ids.customer, name, environment: 'prod', agentKind: 'compose', trackId: ids.track })).body.id;
  const creds = (await vendor.post<AgentCredentials>(`/installations/${id}/agent-credentials`)).body;
  if (withAgent) agents.push(await simAgent(hub.url, id, creds.agentId, creds.secret));
  return { id, creds };
}

const get = async (id: string) => (await vendor.get<Rollout>(`/rollouts/${id}`)).body;
const until = (id: string, what: string, check: (r: Rollout) => boolean, ms = 30_000) =>
  waitFor(async () => {
    const r = await get(id);
    return check(r) ? r : undefined;
  }, ms, what);

beforeAll(async () => {
  tdb = await createTestDatabase();
  hub = await startTestHub({ databaseUrl: tdb.url });
  vendor = new ApiClient(hub.url);
  await vendor.signup(randomSuffix());
  const app = (await vendor.post<{ id: string }>('/applications', { name: 'svc', kind: 'compose' })).body.id;
  const version = (await vendor.post<{ id: string }>(`/applications/${app}/versions`, { version: '5.0.0', compose: { file: 'services:\n  svc:\n    image: sim/svc:5\n' } })).body.id;
  ids.track = (await vendor.post<{ id: string }>('/tracks', { name: 'Svc', applicationIds: [app] })).body.id;
  ids.release = (await vendor.post<Release>(`/tracks/${ids.track}/releases`, { version: '5.0.0', stages: [[{ applicationId: app, versionId: version }]] })).body.id;
  await vendor.post(`/releases/${ids.release}/lock`);
  ids.customer = (await vendor.post<{ id: string }>('/customers', { name: 'Approvers' })).body.id;
  await vendor.post('/entitlements', { customerId: ids.customer, trackId: ids.track });
  const inv = await vendor.post<{ inviteUrl: string }>('/invites', { email: `ca-${randomSuffix()}@example.com`, role: 'admin', customerId: ids.customer });
  customerAdmin = new ApiClient(hub.url);
  await customerAdmin.post(`/invites/${inv.body.inviteUrl.split('/').pop() ?? ''}/accept`, { name: 'CA', password: 'a long enough password' });
}, 120_000);

afterAll(async () => {
  for (const a of agents) a.socket.disconnect();
  await hub.close();
  await tdb.drop();
});

describe('rollout policies', { timeout: 120_000 }, () => {
  it('waits for customer approval; the customer admin approves and the vendor sees it live', async () => {
    const { id } = await installation('approve-me');
    const live: Socket<LiveServerToClientEvents, LiveClientToServerEvents> = connect(`${hub.url}/live`, { transports: ['websocket'], forceNew: true, reconnection: false, extraHeaders: { cookie: vendor.sessionCookie ?? '' } });
    const events: RolloutProgress[] = [];
    live.on('rollout:progress', (e) => events.push(e));
    await new Promise<void>((r) => live.once('connect', () => r()));
    try {
      const r = (await vendor.post<Rollout>('/rollouts', { releaseId: ids.release, targets: { installationIds: [id] }, strategy: { requireCustomerApproval: true, respectMaintenanceWindows: false } })).body;
      const waiting = await until(r.id, 'waiting for approval', (x) => x.targets[0]?.status === 'waiting' && x.targets[0].waitingFor === 'approval');
      // it says by whom, over REST and live
      expect(waiting.targets[0]?.blocker).toMatchObject({ reason: 'approval', by: 'an admin of Approvers' });
      await waitFor(() => events.find((e) => e.rolloutId === r.id && e.targets.some((t) => t.blocker?.reason === 'approval')), 5000, 'a live event explaining the wait');
      // the customer sees the rollout (only its own targets) and approves
      const seen = await customerAdmin.get<Rollout>(`/rollouts/${r.id}`);
      expect(seen.body.targets.map((t) => t.installationId)).toEqual([id]);
      expect((await customerAdmin.post(`/rollouts/${r.id}/targets/${id}/approve`)).status).toBe(200);
      await until(r.id, 'completed', (x) => x.status === 'completed');
      await waitFor(() => events.find((e) => e.rolloutId === r.id && e.targets.some((t) => t.installationId === id && t.status === 'deploying')), 5000, 'a live deploying event');
      expect(events.some((e) => e.rolloutId === r.id && e.status === 'completed')).toBe(true);
      // Live targets are built from what each step wrote, not read back: the last one equals the stored one.
      const last = events.filter((e) => e.rolloutId === r.id).at(-1);
      expect(last?.targets.find((t) => t.installationId === id)).toEqual((await get(r.id)).targets[0]);
    } finally {
      live.disconnect();
    }
  });

  it('a customer can approve for later: the update waits until then', async () => {
    const { id } = await installation('approve-later');
    const r = (await vendor.post<Rollout>('/rollouts', { releaseId: ids.release, targets: { installationIds: [id] }, strategy: { requireCustomerApproval: true, respectMaintenanceWindows: false } })).body;
    await until(r.id, 'waiting for approval', (x) => x.targets[0]?.waitingFor === 'approval');
    const at = new Date(Date.now() + 3000).toISOString();
    const approved = await customerAdmin.call<Rollout>('POST', `/rollouts/${r.id}/targets/${id}/approve`, { at });
    expect(approved.body.targets[0]).toMatchObject({ approved: true, approvedFor: at });
    await new Promise((res) => setTimeout(res, 1500));
    expect((await get(r.id)).targets[0]?.status).toBe('waiting');
    const done = await until(r.id, 'completed after the scheduled time', (x) => x.status === 'completed', 30_000);
    expect(Date.parse(done.targets[0]?.finishedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(at));
  });

  it('an installation outside its maintenance window waits for it', async () => {
    const { id } = await installation('windowed');
    const now = new Date();
    const day = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'][(now.getUTCDay() + 3) % 7];
    expect((await vendor.call('PATCH', `/installations/${id}`, { maintenanceWindows: [{ days: [day], start: '02:00', end: '03:00', timeZone: 'UTC' }] })).status).toBe(200);
    const bad = await vendor.call<{ error: { message: string } }>('PATCH', `/installations/${id}`, { maintenanceWindows: [{ days: ['mon'], start: '02:00', end: '03:00', timeZone: 'Mars/Base' }] });
    expect(bad.status).toBe(400);
    const r = (await vendor.post<Rollout>('/rollouts', { releaseId: ids.release, targets: { installationIds: [id] } })).body;
    const waiting = await until(r.id, 'waiting for the window', (x) => x.status === 'running' && x.targets[0]?.waitingFor === 'window');
    expect(waiting.status).toBe('running');
    expect((await vendor.post<Rollout>(`/rollouts/${r.id}/abort`)).body.status).toBe('aborted');
  });

  it('a daily 5-minute window is found to the minute and explained; a 5-minute window opening soon is waited for and used', async () => {
    const daily = await installation('five-minutes-daily');
    const everyDay = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
    await vendor.call('PATCH', `/installations/${daily.id}`, { maintenanceWindows: [{ days: everyDay, start: '03:05', end: '03:10', timeZone: 'America/New_York' }] });
    const r1 = (await vendor.post<Rollout>('/rollouts', { releaseId: ids.release, targets: { installationIds: [daily.id] } })).body;
    const waiting = await until(r1.id, 'waiting for the 03:05 window', (x) => x.targets[0]?.blocker?.reason === 'window');
    const opens = Date.parse(waiting.targets[0]?.blocker?.until ?? '');
    expect(opens).toBeGreaterThan(Date.now());
    expect(opens - Date.now()).toBeLessThanOrEqual(25 * 3_600_000);
    const newYork = new Date(opens).toLocaleTimeString('en-GB', { timeZone: 'America/New_York', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    expect(newYork).toBe('03:05:00');
    expect(waiting.targets[0]?.blocker).toMatchObject({ timeZone: 'America/New_York', message: expect.stringContaining('opens at') });
    await vendor.post(`/rollouts/${r1.id}/abort`);

    // A 5-minute window opening in a few seconds (a cron start with seconds): the rollout waits, then deploys in it.
    const soon = await installation('five-minutes-soon');
    const start = new Date(Math.ceil((Date.now() + 6000) / 1000) * 1000);
    const cron = `${start.getUTCSeconds()} ${start.getUTCMinutes()} ${start.getUTCHours()} * * *`;
    await vendor.call('PATCH', `/installations/${soon.id}`, { maintenanceWindows: [{ cron, durationMinutes: 5, timeZone: 'UTC' }] });
    const r2 = (await vendor.post<Rollout>('/rollouts', { releaseId: ids.release, targets: { installationIds: [soon.id] } })).body;
    const before = await until(r2.id, 'waiting for the window', (x) => x.targets[0]?.blocker?.reason === 'window');
    expect(before.targets[0]?.blocker?.until).toBe(start.toISOString());
    const done = await until(r2.id, 'completed in the window', (x) => x.status === 'completed', 60_000);
    expect(Date.parse(done.targets[0]?.finishedAt ?? '')).toBeGreaterThanOrEqual(start.getTime());
    expect(Date.parse(done.targets[0]?.finishedAt ?? '')).toBeLessThan(start.getTime() + 5 * 60_000);
    expect(done.targets[0]?.blocker).toBeNull();
  });

  it('an offline agent gets its stage when it reconnects; past offlineTimeoutSeconds a target is skipped', async () => {
    const late = await installation('late', false);
    const never = await installation('never', false);
    // `late` was seen once; `never` never connected: its timeout counts from when the rollout waited for it
    (await simAgent(hub.url, late.id, late.creds.agentId, late.creds.secret)).socket.disconnect();
    const r = (await vendor.post<Rollout>('/rollouts', { releaseId: ids.release, targets: { installationIds: [late.id, never.id] }, strategy: { respectMaintenanceWindows: false, offlineTimeoutSeconds: 10 } })).body;
    await until(r.id, 'both waiting for their agent', (x) => x.targets.every((t) => t.waitingFor === 'agent'));
    agents.push(await simAgent(hub.url, late.id, late.creds.agentId, late.creds.secret));
    const done = await until(r.id, 'completed', (x) => x.status === 'completed', 60_000);
    expect(Object.fromEntries(done.targets.map((t) => [t.installationId, t.status]))).toEqual({ [late.id]: 'succeeded', [never.id]: 'skipped' });
  });
});

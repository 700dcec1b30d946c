import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Installation, UptimeResponse } from '@flotilla/protocol';
import { ApiClient } from './api-client.js';
import { createTestDatabase, dropRedisPrefix, randomSuffix, startTestHub, waitFor, type TestDatabase, type TestHub } from './helpers.js';
import { UPTIME_ROLLUP } from '../src/maintenance.js';
import { UptimeRollup } from '../src/domain/installations/uptime-rollup.js';
import { UptimeRepository } from '../src/domain/installations/uptime-repository.js';
import { DAY_MS, HOUR_MS, hourStart } from '../src/domain/installations/uptime.js';

const H = HOUR_MS;

/** Everything the roll-up would do now, however many bounded runs that takes. */
async function rollUpAll(rollup: UptimeRollup, now = Date.now()): Promise<number> {
  let hours = 0;
  for (;;) {
    const r = await rollup.run(now);
    hours += r.hours;
    if (!r.more) return hours;
  }
}

describe('uptime roll-ups and the uptime route', () => {
  let tdb: TestDatabase;
  let hub: TestHub;
  let api: ApiClient;
  let vendorId: string;
  let customerId: string;
  /** The start of an hour ten days ago: the scripted history below happens around it. */
  const B = hourStart(Date.now()) - 10 * DAY_MS;
  const at = (hours: number) => new Date(B + hours * H);

  beforeAll(async () => {
    tdb = await createTestDatabase();
    // No workers: the test runs the roll-up itself, at the times it chooses.
    hub = await startTestHub({ databaseUrl: tdb.url, workers: false });
    api = new ApiClient(hub.url);
    vendorId = (await api.signup(randomSuffix())).vendorId;
    customerId = (await api.post<{ id: string }>('/customers', { name: 'Acme' })).body.id;
  });

  afterAll(async () => {
    await hub.close();
    await tdb.drop();
  });

  const db = () => hub.infra.db;
  const rollup = () => hub.app.services.uptimeRollup;

  /** An installation created, and its agent first connected, at `since` (uptime counts from then). */
  async function installation(name: string, since: Date): Promise<string> {
    const id = (await api.post<{ id: string }>('/installations', { customerId, name, environment: 'production', agentKind: 'compose' })).body.id;
    await db()('installations').where({ id }).update({ created_at: since, first_connected_at: since });
    return id;
  }
  const session = (installationId: string, from: Date, to: Date | null) =>
    db()('agent_sessions').insert({ vendor_id: vendorId, installation_id: installationId, agent_id: `agent-${installationId}`, hub_node: 'test', connected_at: from, disconnected_at: to });
  const health = (installationId: string, when: Date, h: string) => db()('installation_events').insert({ vendor_id: vendorId, installation_id: installationId, type: 'health', health: h, at: when });
  const rolled = (installationId: string) =>
    db()('uptime_hourly').where({ installation_id: installationId }).orderBy('hour').select('hour', 'elapsed_ms', 'connected_ms', 'up_ms', 'incidents') as Promise<{ hour: Date; elapsed_ms: number; connected_ms: number; up_ms: number; incidents: number }[]>;

  let flapping: string;
  let silent: string;

  it('rolls up each completed hour per installation: existence, connection, health, incidents', async () => {
    // Created at B+0.5 h; connected 0.5–1.25 h and from 1.5 h on; failed 2.25–2.5 h.
    flapping = await installation('flapping', at(0.5));
    await session(flapping, at(0.5), at(1.25));
    await session(flapping, at(1.5), null);
    await health(flapping, at(0.5), 'healthy');
    await health(flapping, at(2.25), 'failed');
    await health(flapping, at(2.5), 'healthy');
    // Existed the whole time, never connected.
    silent = await installation('silent', at(-24));

    expect(await rollUpAll(rollup(), at(3).getTime() + 5 * 60_000)).toBeGreaterThan(0);
    expect((await db()('uptime_rollup_state').first('rolled_until')).rolled_until).toEqual(at(3));
    expect(await rolled(flapping)).toEqual([
      { hour: at(0), elapsed_ms: 0.5 * H, connected_ms: 0.5 * H, up_ms: 0.5 * H, incidents: 0 },
      { hour: at(1), elapsed_ms: H, connected_ms: 0.75 * H, up_ms: 0.75 * H, incidents: 1 },
      { hour: at(2), elapsed_ms: H, connected_ms: H, up_ms: 0.75 * H, incidents: 1 },
    ]);
    const quiet = await rolled(silent);
    expect(quiet).toHaveLength(27);
    expect(quiet.every((r) => r.elapsed_ms === H && r.connected_ms === 0 && r.incidents === 0)).toBe(true);
  });

  it('waits for an hour to be over (and a grace period) before rolling it up', async () => {
    const r = await rollup().run(at(4).getTime() + 60_000); // 1 minute into hour 4: hour 3 is not due yet
    expect(r).toMatchObject({ hours: 0, more: false });
    expect((await rolled(flapping)).map((x) => x.hour)).not.toContainEqual(at(3));
  });

  it('is idempotent: rolling up the same hours again changes nothing and duplicates nothing', async () => {
    const before = await rolled(flapping);
    await db()('uptime_rollup_state').update({ rolled_until: at(0) });
    await db()('uptime_hourly').where({ installation_id: flapping, hour: at(1) }).update({ up_ms: 1 }); // a stale value gets replaced
    expect(await rollUpAll(rollup(), at(3).getTime() + 5 * 60_000)).toBe(3);
    expect(await rolled(flapping)).toEqual(before);
  });

  it('catches up after downtime in bounded runs, each ending at a UTC day boundary', async () => {
    const d0 = Math.floor(at(3).getTime() / DAY_MS) * DAY_MS - 2 * DAY_MS;
    await db()('uptime_rollup_state').update({ rolled_until: new Date(d0) });
    const bounded = new UptimeRollup(db(), new UptimeRepository(db()), { retentionDays: 35, maxHoursPerRun: 10, chunkHours: 4, batchSize: 1 });
    const now = d0 + 3 * DAY_MS + 5 * 60_000;
    expect(await bounded.run(now)).toMatchObject({ hours: 24, more: true, rolledUntil: new Date(d0 + DAY_MS).toISOString() });
    expect(await rollUpAll(bounded, now)).toBe(48);
    // What the bounded runs left up to B+27 h: none when B+27 h is itself a day boundary (a test run at 21:00–22:00 UTC).
    expect(await rollUpAll(rollup(), at(27).getTime() + 5 * 60_000)).toBe(Math.max(0, (at(27).getTime() - (d0 + 3 * DAY_MS)) / H));
    const rows = await rolled(flapping);
    expect(rows.map((r) => r.hour)).toEqual(Array.from({ length: 27 }, (_, h) => at(h)));
    expect(rows.slice(3).every((r) => r.connected_ms === H && r.up_ms === H)).toBe(true);
    expect(await rolled(silent)).toHaveLength(24 + 27);
    // Each UTC day's row sums its hours.
    const days: { elapsed: string; up: string; incidents: string }[] = await db()('uptime_daily').where({ installation_id: flapping }).sum({ elapsed: 'elapsed_ms', up: 'up_ms', incidents: 'incidents' });
    expect(days.map((d) => [Number(d.elapsed), Number(d.up), Number(d.incidents)])).toEqual([[26.5 * H, 26 * H, 2]]);
  });

  it('segments: rolled-up hours, then the live tail, as percentages of the elapsed part', async () => {
    // Roll-ups reach B+27 h; at B+28.5 h hours 27 and 28 come from the raw rows.
    await health(flapping, at(27.5), 'degraded');
    const now = at(28.5);
    const scope = { vendorId, customerId: null };
    const day = await hub.app.services.installations.uptime(scope, flapping, '24h', now);
    expect(day).toMatchObject({ bucket: 'hour', from: at(5).toISOString(), to: now.toISOString() });
    expect(day.segments).toHaveLength(24);
    expect(day.segments.at(-1)).toMatchObject({ start: at(28).toISOString(), end: at(29).toISOString(), onlinePercent: 0, degradedPercent: 100, noDataPercent: 0, incidents: 0 });
    expect(day.segments.at(-2)).toMatchObject({ start: at(27).toISOString(), onlinePercent: 50, degradedPercent: 50, incidents: 1 });
    expect(day.segments.at(-3)).toMatchObject({ onlinePercent: 100, incidents: 0 });
    // 23.5 h elapsed, all connected, 22.5 h of it up.
    expect(day.uptimePercent).toBeCloseTo((22.5 / 23.5) * 100, 2);
    expect(day.connectedPercent).toBe(100);

    const week = await hub.app.services.installations.uptime(scope, flapping, '7d', now);
    expect(week.bucket).toBe('day');
    expect(week.segments).toHaveLength(7);
    const dayOf = (t: Date) => new Date(Math.floor(t.getTime() / DAY_MS) * DAY_MS).toISOString();
    expect(week.segments.at(-1)?.start).toBe(dayOf(now));
    expect(week.from).toBe(new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS - 6 * DAY_MS).toISOString());
    const incidents = week.segments.reduce((n, s) => n + s.incidents, 0);
    expect(incidents).toBe(3); // the disconnection at 1.25 h, the failure at 2.25 h, the degradation at 27.5 h
    for (const s of week.segments) expect(s.onlinePercent + s.degradedPercent + s.offlinePercent + s.noDataPercent).toBeCloseTo(100, 6);
  });

  it('the route reads completed hours from the roll-ups and the current hour live; the list shows 24 h uptime', async () => {
    const now = Date.now();
    const id = await installation('live', new Date(now - 3 * H));
    await session(id, new Date(now - 3 * H), null);
    await health(id, new Date(now - 3 * H), 'healthy');
    await rollUpAll(rollup(), now);
    const until = ((await db()('uptime_rollup_state').first('rolled_until')) as { rolled_until: Date }).rolled_until.getTime();
    // Marks the rolled-up hours as unhealthy: the segments show what the roll-ups say, not the raw rows.
    expect(await db()('uptime_hourly').where({ installation_id: id }).update({ up_ms: 0 })).toBeGreaterThanOrEqual(2);

    const res = await api.get<UptimeResponse>(`/installations/${id}/uptime?window=24h`);
    expect(res.status).toBe(200);
    expect(res.body.segments).toHaveLength(24);
    for (const s of res.body.segments) {
      const start = Date.parse(s.start);
      if (start + H <= now - 3 * H) expect(s.noDataPercent).toBe(100);
      else if (start < until) expect(s).toMatchObject({ onlinePercent: 0, offlinePercent: 0 });
      else expect(s).toMatchObject({ onlinePercent: 100, degradedPercent: 0, noDataPercent: 0 });
    }
    expect(res.body.segments.at(-1)?.onlinePercent).toBe(100);

    const month = await api.get<UptimeResponse>(`/installations/${id}/uptime?window=30d`);
    // The day bars read the daily sums, which the hourly tampering above did not touch.
    expect(month.body).toMatchObject({ bucket: 'day', window: '30d', uptimePercent: 100 });
    expect(month.body.segments).toHaveLength(30);

    const list = await api.get<{ items: Installation[] }>('/installations?limit=200');
    const item = list.body.items.find((i) => i.id === id);
    expect(item?.uptime24h).toBeCloseTo(res.body.uptimePercent ?? -1, 0); // a moment later: the live hour moved on
    expect(list.body.items.find((i) => i.id === silent)?.uptime24h).toBeNull();
  });

  it('drops roll-ups past the retention', async () => {
    const old = await installation('old', at(-24 * 40));
    await db()('uptime_hourly').insert({ installation_id: old, vendor_id: vendorId, hour: at(-24 * 30), elapsed_ms: H, connected_ms: 0, up_ms: 0, incidents: 0 });
    const r = await rollup().run();
    expect(r.purged).toBeGreaterThanOrEqual(1);
    expect(await rolled(old)).not.toContainEqual(expect.objectContaining({ hour: at(-24 * 30) }));
  });
});

describe.each([
  ['on Redis', true],
  ['on PostgreSQL', false],
])('the uptime-rollup job scheduler %s', (_label, withRedis) => {
  let tdb: TestDatabase;
  let hub: TestHub;
  const prefix = `flotilla_test_${randomSuffix()}`;

  beforeAll(async () => {
    tdb = await createTestDatabase();
    hub = await startTestHub({ databaseUrl: tdb.url, workers: true, ...(withRedis ? { redisPrefix: prefix } : {}) });
  });

  afterAll(async () => {
    await hub.close();
    await tdb.drop();
    if (withRedis) await dropRedisPrefix(prefix);
  });

  const rolledUntil = async () => ((await hub.infra.db('uptime_rollup_state').first('rolled_until')) as { rolled_until: Date } | undefined)?.rolled_until.getTime();

  it('is scheduled hourly, runs at start, and catches up through the queue', async () => {
    const queue = hub.infra.queues.queue('maintenance');
    await waitFor(() => queue.scheduler(UPTIME_ROLLUP), 10_000, 'the scheduler');
    expect(await queue.scheduler(UPTIME_ROLLUP)).toMatchObject({ everyMs: 3600_000, offsetMs: 5 * 60_000 });
    const due = hourStart(Date.now() - 2 * 60_000);
    // Started with nothing rolled up: the run at start goes back over the retention (35 days), in
    // bounded runs that queue each other.
    await waitFor(async () => ((await rolledUntil()) ?? 0) >= due, 30_000, 'the start-up roll-up to catch up');

    const db = hub.infra.db;
    const [vendor] = (await db('vendors').insert({ name: 'V' }).returning('id')) as { id: string }[];
    const [customer] = (await db('customers').insert({ vendor_id: vendor?.id, name: 'C' }).returning('id')) as { id: string }[];
    const [inst] = (await db('installations').insert({ vendor_id: vendor?.id, customer_id: customer?.id, name: 'i', environment: 'e', agent_kind: 'compose', created_at: new Date(due - 20 * DAY_MS), first_connected_at: new Date(due - 20 * DAY_MS) }).returning('id')) as { id: string }[];
    const start = due - 10 * DAY_MS;
    await db('uptime_rollup_state').update({ rolled_until: new Date(start) });
    await queue.add(UPTIME_ROLLUP, {});
    const until = await waitFor(async () => {
      const u = (await rolledUntil()) ?? 0;
      return u >= due ? u : undefined;
    }, 30_000, 'the roll-up to catch up 10 days (more than one bounded run)');
    // Daily rows cover every hour rolled up; hourly rows are kept 7 days.
    const days: { elapsed: string }[] = await db('uptime_daily').where({ installation_id: inst?.id }).sum({ elapsed: 'elapsed_ms' });
    expect(Number(days[0]?.elapsed)).toBe(until - start);
    const oldest: { hour: Date | null }[] = await db('uptime_hourly').where({ installation_id: inst?.id }).min({ hour: 'hour' });
    expect(oldest[0]?.hour?.getTime()).toBeGreaterThanOrEqual(hourStart(Date.now()) - 7 * DAY_MS - HOUR_MS);
  });
});

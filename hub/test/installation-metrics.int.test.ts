import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentCredentials, MetricsResponse, UsageSample } from '@flotilla/protocol';
import { createDatabase, type Database } from '../src/infra/database.js';
import { MetricsRepository } from '../src/domain/installations/metrics-repository.js';
import { MetricsRollup } from '../src/domain/installations/metrics-service.js';
import { ApiClient } from './api-client.js';
import { createTestDatabase, randomSuffix, startTestHub, waitFor, type TestDatabase, type TestHub } from './helpers.js';
import { connectAgent, host, type AgentSocket } from './sim-agent.js';

let tdb: TestDatabase;
let hub: TestHub;
let api: ApiClient;
let db: Database;
let installationId: string;
let agent: AgentSocket;

const GiB = 2 ** 30;
const usage = (cpu: number, webMem: number, extra: Partial<UsageSample> = {}): UsageSample => ({
  at: new Date().toISOString(),
  host: { cpuPercent: cpu, memoryUsedBytes: 3 * GiB, memoryTotalBytes: 16 * GiB, diskUsedBytes: 40 * GiB, diskTotalBytes: 100 * GiB },
  components: [{ name: 'web', cpuPercent: cpu * 2, memoryBytes: webMem, restarts: 1 }],
  ...extra,
});
const since = new Date().toISOString();

beforeAll(async () => {
  tdb = await createTestDatabase();
  hub = await startTestHub({ databaseUrl: tdb.url, workers: false }); // no maintenance job racing the roll-up test, which counts what it purges
  db = createDatabase(tdb.url, { min: 0, max: 2 });
  api = new ApiClient(hub.url);
  await api.signup(randomSuffix());
  const customer = await api.post<{ id: string }>('/customers', { name: 'Acme' });
  installationId = (await api.post<{ id: string }>('/installations', { customerId: customer.body.id, name: 'main', environment: 'production', agentKind: 'compose' })).body.id;
  const creds = (await api.post<AgentCredentials>(`/installations/${installationId}/agent-credentials`)).body;
  agent = await connectAgent(hub.url, creds.agentId, creds.secret);
  await agent.emitWithAck('agent:hello', { host, appliedRevision: 0, components: [] });
});

afterAll(async () => {
  agent.close();
  await db.destroy();
  await hub.close();
  await tdb.drop();
});

const report = (u: UsageSample) =>
  agent.emitWithAck('status:report', { revision: 0, components: [{ name: 'web', version: '1', health: 'healthy', since }], usage: u });

describe('metrics from agents', () => {
  it('stores reported usage and reads it back by window', async () => {
    expect(await report(usage(10, 100 * 2 ** 20))).toEqual({ ok: true });
    await new Promise((r) => setTimeout(r, 5)); // another instant: a second raw row
    expect(await report(usage(30, 300 * 2 ** 20))).toEqual({ ok: true });

    const hour = await waitFor(async () => {
      const res = await api.get<MetricsResponse>(`/installations/${installationId}/metrics?window=1h`);
      return res.body.host.length === 2 ? res.body : undefined;
    }, 10_000, 'two raw samples');
    expect(hour).toMatchObject({ installationId, window: '1h', stepSeconds: 0, unavailable: null });
    expect(hour.host.map((p) => p.cpuPercent)).toEqual([10, 30]);
    expect(hour.host[0]).toMatchObject({ memoryUsedBytes: 3 * GiB, memoryTotalBytes: 16 * GiB, diskUsedBytes: 40 * GiB, diskTotalBytes: 100 * GiB });
    expect(hour.components).toEqual([{ name: 'web', points: [expect.objectContaining({ cpuPercent: 20, memoryBytes: 100 * 2 ** 20, restarts: 1 }), expect.objectContaining({ cpuPercent: 60, memoryBytes: 300 * 2 ** 20 })] }]);

    // 24h: 5-minute averages of the raw samples, current (no roll-up needed).
    const day = (await api.get<MetricsResponse>(`/installations/${installationId}/metrics?window=24h`)).body;
    expect(day.stepSeconds).toBe(300);
    const lastHost = day.host.at(-1);
    const lastWeb = day.components[0]?.points.at(-1);
    // Both samples usually share a bucket; across a boundary each bucket holds one.
    if (day.host.length === 1) {
      expect(lastHost?.cpuPercent).toBe(20);
      expect(lastWeb?.memoryBytes).toBe(200 * 2 ** 20);
    } else expect(day.host.map((p) => p.cpuPercent)).toEqual([10, 30]);
  });

  it('says why component metrics are missing, and refuses bad samples and windows', async () => {
    expect(await report(usage(5, 0, { components: [], unavailable: 'the cluster has no metrics API' }))).toEqual({ ok: true });
    const res = await waitFor(async () => {
      const r = await api.get<MetricsResponse>(`/installations/${installationId}/metrics`);
      return r.body.unavailable !== null ? r.body : undefined;
    }, 10_000, 'unavailable reason');
    expect(res.window).toBe('1h');
    expect(res.unavailable).toBe('the cluster has no metrics API');

    const good = usage(10, 1);
    const bad = (await report({ ...good, host: good.host === undefined ? undefined : { ...good.host, cpuPercent: 140 } })) as unknown as { error: { code: string } };
    expect(bad.error.code).toBe('INVALID_PAYLOAD');
    // Past what the columns hold (bigint bytes, finite averages): refused, not a 500.
    const huge = (await report({ ...good, components: good.components.map((c) => ({ ...c, memoryBytes: 1e308 })) })) as unknown as { error: { code: string } };
    expect(huge.error.code).toBe('INVALID_PAYLOAD');
    const busy = (await report({ ...good, components: good.components.map((c) => ({ ...c, cpuPercent: 1e308 })) })) as unknown as { error: { code: string } };
    expect(busy.error.code).toBe('INVALID_PAYLOAD');
    const badWindow = await api.get<{ error: { code: string } }>(`/installations/${installationId}/metrics?window=1y`);
    expect(badWindow.status).toBe(400);
    expect((await api.get(`/installations/00000000-0000-4000-8000-000000000000/metrics`)).status).toBe(404);
  });
});

describe('metrics roll-up and retention', () => {
  it('averages raw rows into 5-minute and hourly buckets for all installations, keeps restarts at their highest, and purges by age', async () => {
    const repo = new MetricsRepository(db);
    await db('installation_metrics').delete();
    const now = new Date('2030-01-02T10:07:00Z');
    const at = (iso: string) => new Date(iso);
    const raw = (when: string, cpu: number, mem: number, restarts: number) => ({
      installation_id: installationId, step_seconds: 0, component: 'web', at: at(when), cpu_percent: cpu, memory_bytes: mem, restarts,
    });
    await db('installation_metrics').insert([
      raw('2030-01-02T09:55:10Z', 10, 100, 1),
      raw('2030-01-02T09:57:40Z', 20, 300, 2),
      raw('2030-01-02T10:01:00Z', 40, 500, 2),
      raw('2030-01-02T10:06:30Z', 80, 700, 3), // the bucket still filling
      raw('2030-01-01T09:00:00Z', 99, 999, 9), // older than 24 h: purged, never rolled
      { installation_id: installationId, step_seconds: 300, component: 'web', at: at('2029-12-20T00:00:00Z'), cpu_percent: 1, memory_bytes: 1 }, // older than 7 d
      { installation_id: installationId, step_seconds: 3600, component: 'web', at: at('2029-10-01T00:00:00Z'), cpu_percent: 1, memory_bytes: 1 }, // older than 90 d
    ]);
    const rollup = new MetricsRollup(repo);
    const first = await rollup.run(now);
    expect(first.purged).toBe(3);
    const rows = async (step: number) =>
      (await db('installation_metrics').where({ step_seconds: step }).orderBy('at')).map((r: { at: Date; cpu_percent: number; memory_bytes: string; restarts: number | null }) => ({
        at: r.at.toISOString(),
        cpu: r.cpu_percent,
        mem: Number(r.memory_bytes),
        restarts: r.restarts,
      }));
    expect(await rows(300)).toEqual([
      { at: '2030-01-02T09:55:00.000Z', cpu: 15, mem: 200, restarts: 2 },
      { at: '2030-01-02T10:00:00.000Z', cpu: 40, mem: 500, restarts: 2 },
      { at: '2030-01-02T10:05:00.000Z', cpu: 80, mem: 700, restarts: 3 },
    ]);
    expect(await rows(3600)).toEqual([
      { at: '2030-01-02T09:00:00.000Z', cpu: 15, mem: 200, restarts: 2 },
      { at: '2030-01-02T10:00:00.000Z', cpu: 60, mem: 600, restarts: 3 },
    ]);

    // More samples for the bucket that was filling: the next run completes it (upsert), and is idempotent.
    await db('installation_metrics').insert(raw('2030-01-02T10:08:00Z', 40, 300, 4));
    await rollup.run(new Date('2030-01-02T10:09:00Z'));
    await rollup.run(new Date('2030-01-02T10:09:00Z'));
    expect((await rows(300)).at(-1)).toEqual({ at: '2030-01-02T10:05:00.000Z', cpu: 60, mem: 500, restarts: 4 });
    expect((await rows(3600)).at(-1)).toEqual({ at: '2030-01-02T10:00:00.000Z', cpu: 50, mem: 500, restarts: 4 });
    expect(await rows(300)).toHaveLength(3);

    // The 7d and 30d windows read the roll-ups.
    const week = await repo.series(installationId, 300, 300, new Date('2029-12-26T10:09:00Z'), new Date('2030-01-02T10:09:00Z'));
    expect(week.components[0]?.points.map((p) => p.cpuPercent)).toEqual([15, 40, 60]);
  });
});

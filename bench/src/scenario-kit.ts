import { fileURLToPath } from 'node:url';
import type { BenchOptions } from './options.js';
import type { HubCluster, HubNode } from './hub.js';
import { sleep } from './hub.js';
import type { Usage } from './proc.js';
import { Child } from './rpc.js';
import type { Fleet } from './seed.js';
import type { SimFleet } from './fleet.js';
import type { ResultRow } from './report.js';
import type { EventSinks } from './event-sinks.js';
import { distribution, type Distribution } from './stats.js';

/** What every scenario works with; the scenarios themselves are in scenarios.ts, outage.ts and metrics-cost.ts. */
const FLOOR_SERVER = fileURLToPath(new URL('./floor-server.js', import.meta.url));
export const KB = 1024;

export interface MemoryPerClient {
  /** Resident set growth per client. */
  rss: number;
  /** Live JS heap plus buffers outside it (socket buffers) per client. */
  heap: number;
  /** Heap V8 keeps committed per client: live objects and the slack between them. */
  committed: number;
}

export interface BenchContext {
  opts: BenchOptions;
  cluster: HubCluster;
  /** The first hub node (restarted in place by the reconnect storm). */
  hub: HubNode;
  ports: number[];
  seeded: Fleet;
  fleet: SimFleet;
  rows: ResultRow[];
  notes: string[];
  log(message: string): void;
  /** The loopback webhook receiver and SMTP sink (started when the outage scenario is chosen). */
  sinks?: EventSinks;
  /** Figures one scenario leaves for another (floor latency, polling latency…). */
  shared: { floor?: Distribution; floorMemoryPerClient?: MemoryPerClient; floorConnectMs?: number; socketFanout?: Distribution; pollFanout?: Distribution };
}

export type Scenario = (ctx: BenchContext) => Promise<void>;

export const row = (ctx: BenchContext, r: ResultRow) => ctx.rows.push(r);

export const perClient = (before: NodeJS.MemoryUsage, after: NodeJS.MemoryUsage, n: number): MemoryPerClient => ({
  rss: (after.rss - before.rss) / n,
  heap: (after.heapUsed + after.external - before.heapUsed - before.external) / n,
  committed: (after.heapTotal - before.heapTotal) / n,
});

export const latencyRows = (ctx: BenchContext, scenario: string, what: string, d: Distribution, reference?: Distribution, refLabel = 'bare Socket.IO') => {
  for (const p of ['p50', 'p99', 'max'] as const) {
    row(ctx, { scenario, metric: `${what} ${p}`, value: d[p], unit: 'ms', ...(reference ? { reference: { label: `${refLabel} ${p}`, value: reference[p] } } : {}) });
  }
};

export const cpuPerMinute = (u: Usage) => (u.cpuSeconds / u.wallSeconds) * 60;

/** `of`: which process or span the usage is of, when not the scenario's whole hub. */
export const usageRows = (ctx: BenchContext, scenario: string, u: Usage, of?: string) => {
  const suffix = of === undefined ? '' : ` (${of})`;
  row(ctx, { scenario, metric: `hub CPU${suffix}`, value: u.cpuSeconds, unit: 's' });
  row(ctx, { scenario, metric: `hub peak RSS${suffix}`, value: u.peakRssBytes / 2 ** 20, unit: 'MiB' });
};

/** Starts a rollout of a new release to every installation in one unlimited wave; returns its id and the start time. */
/** `answeredMs`: how long the API call took (the rollout and its targets checked and written). */
export async function rolloutToAll(ctx: BenchContext): Promise<{ id: string; since: number; answeredMs: number }> {
  const releaseId = await ctx.seeded.newRelease();
  const since = Date.now();
  const rollout = await ctx.seeded.api.post<{ id: string }>('/rollouts', {
    releaseId,
    targets: { all: true },
    strategy: { waves: [{ percent: 100 }], maxParallel: 100_000, respectMaintenanceWindows: false, healthTimeoutSeconds: 600 },
  });
  return { id: rollout.id, since, answeredMs: Date.now() - since };
}

export async function waitRolloutDone(ctx: BenchContext, id: string, timeoutMs: number): Promise<{ status: string; ms: number }> {
  const t0 = Date.now();
  for (;;) {
    const r = await ctx.seeded.api.get<{ status: string }>(`/rollouts/${id}`);
    if (!['pending', 'running'].includes(r.status)) return { status: r.status, ms: Date.now() - t0 };
    if (Date.now() - t0 > timeoutMs) return { status: `${r.status} (timed out)`, ms: Date.now() - t0 };
    await sleep(500);
  }
}

/**
 * A one-wave rollout to everyone: from the API call until each agent has its desired state (it
 * fails when an agent never gets it, `disconnected` known absentees apart), then until the rollout
 * is done (or 5 minutes).
 */
export async function measureFanout(ctx: BenchContext, disconnected = 0): Promise<{ latency: Distribution; samples: number[]; since: number; lastReceivedAt: number; status: string; doneMs: number }> {
  const { id, since } = await rolloutToAll(ctx);
  const r = await ctx.fleet.waitAllReceived(since, 120_000, disconnected);
  if (r.missing > disconnected) throw new Error(`${r.missing} agents never received the rollout's desired state`);
  const samples = r.times.map((t) => t - since);
  const lastReceivedAt = Math.max(...r.times);
  const done = await waitRolloutDone(ctx, id, 300_000);
  return { latency: distribution(samples), samples, since, lastReceivedAt, status: done.status, doneMs: Date.now() - since };
}

/**
 * `runs` fan-outs one after the other (each a new rollout to everyone, after the previous one is
 * done): their samples pooled into one distribution, and each run's p99. One rollout is one draw
 * on a shared machine; comparisons between conditions use the pooled figure.
 */
export async function measureFanouts(ctx: BenchContext, runs: number, disconnected = 0): Promise<{ latency: Distribution; p99s: number[]; first: { since: number }; last: { lastReceivedAt: number; status: string; doneMs: number } }> {
  const samples: number[] = [];
  const p99s: number[] = [];
  let first: { since: number } | undefined;
  let last: { lastReceivedAt: number; status: string; doneMs: number } | undefined;
  for (let i = 0; i < runs; i++) {
    const f = await measureFanout(ctx, disconnected);
    first ??= f;
    last = f;
    p99s.push(f.latency.p99);
    samples.push(...f.samples);
  }
  if (!first || !last) throw new Error('measureFanouts needs at least one run');
  return { latency: distribution(samples), p99s, first, last };
}

export async function ensureConnected(ctx: BenchContext, hubUrls: string[]): Promise<void> {
  const c = await ctx.fleet.counts();
  if (c.total === ctx.seeded.agents.length && c.helloed === c.total) return;
  if (c.total > 0) await ctx.fleet.stopSockets();
  await ctx.fleet.startSockets(hubUrls);
  await ctx.fleet.waitAllHelloed(180_000);
}

/**
 * The floor: a bare Socket.IO server in its own process, as many clients as agents. Its memory per
 * client and the latency of a broadcast to all (first of four broadcasts discarded as warm-up) go
 * to `ctx.shared`. Measured once per run, before the agents connect when possible.
 */
export async function measureFloor(ctx: BenchContext): Promise<void> {
  const n = ctx.seeded.agents.length;
  const floor = new Child(FLOOR_SERVER);
  try {
    const port = await floor.call<number>('listen');
    const before = await floor.call<NodeJS.MemoryUsage>('memory');
    const c0 = Date.now();
    await ctx.fleet.floorConnect(`http://127.0.0.1:${port}`, n);
    ctx.shared.floorConnectMs = Date.now() - c0;
    await sleep(1000);
    ctx.shared.floorMemoryPerClient = perClient(before, await floor.call<NodeJS.MemoryUsage>('memory'), n);
    const samples: number[] = [];
    for (let seq = 0; seq < 4; seq++) {
      const t0 = await floor.call<number>('broadcast', { seq });
      const deadline = Date.now() + 30_000;
      let r = await ctx.fleet.floorReceipts(seq);
      while (r.missing > 0 && Date.now() < deadline) {
        await sleep(50);
        r = await ctx.fleet.floorReceipts(seq);
      }
      if (seq > 0) samples.push(...r.times.map((t) => t - t0)); // seq 0 warms up
      await sleep(300);
    }
    ctx.shared.floor = distribution(samples);
    await ctx.fleet.floorClose();
    await floor.call('close');
  } finally {
    await floor.kill();
  }
}

/** The floor for scenarios that compare with it when the connect storm did not run (measured now, agents not yet connected). */
export async function ensureFloor(ctx: BenchContext): Promise<void> {
  if (ctx.shared.floor) return;
  const c = await ctx.fleet.counts();
  if (c.total > 0) ctx.notes.push('The bare Socket.IO floor was measured with the agents connected to the hub (the connect storm did not run first).');
  await measureFloor(ctx);
}

import type { ScenarioName } from './options.js';
import { sleep } from './hub.js';
import { UsageMeter } from './proc.js';
import { distribution, pollingLatency } from './stats.js';
import { cpuPerMinute, ensureConnected, KB, latencyRows, measureFloor, perClient, rolloutToAll, row, usageRows, waitRolloutDone, type Scenario } from './scenario-kit.js';
import { outage } from './outage.js';
import { metrics } from './metrics-cost.js';
import { handshakeBreakdown, histogramTotals, rolloutStepTotals, scrapeHub, totalsSince, type HandshakeBreakdown } from './hub-metrics.js';

export type { BenchContext } from './scenario-kit.js';

/** Where a storm's time goes: each handshake stage on the hub, and each batch the stages wait on. */
function breakdownRows(ctx: Parameters<Scenario>[0], scenario: string, breakdown: HandshakeBreakdown): void {
  for (const [stage, t] of breakdown.stages) row(ctx, { scenario, metric: `handshake stage ${stage}: mean per agent (${t.count})`, value: (t.seconds / Math.max(1, t.count)) * 1000, unit: 'ms' });
  for (const b of breakdown.batches) {
    row(ctx, {
      scenario,
      metric: `batch ${b.batcher} (${b.flushes} flushes, ${Math.round(b.items / b.flushes)} items each): mean wait of a flush's oldest item`,
      value: (b.waitSeconds / b.flushes) * 1000,
      unit: 'ms',
      reference: { label: 'mean flush', value: (b.flushSeconds / b.flushes) * 1000 },
    });
  }
}

/** 1. Connect storm (and the floor's memory and broadcast latency, measured first on an idle machine). */
const connect: Scenario = async (ctx) => {
  const n = ctx.seeded.agents.length;
  // The hub that just created every installation through the API keeps what its allocator grew to
  // for that, and the connections reuse it: memory per agent is measured in a process started
  // afresh, as after a deploy (the floor's measurement gives its backlog time to drain).
  await ctx.hub.stop();
  ctx.hub = await ctx.cluster.start(ctx.hub.port);
  await measureFloor(ctx);

  const before = await ctx.hub.memory();
  const meter = new UsageMeter(() => [ctx.hub.pid]);
  const metricsBefore = await scrapeHub(ctx.hub.url);
  await ctx.fleet.startSockets([ctx.hub.url]);
  const ms = await ctx.fleet.waitAllHelloed(180_000);
  const usage = meter.stop();
  const breakdown = handshakeBreakdown(metricsBefore, await scrapeHub(ctx.hub.url));
  await sleep(2000);
  const perAgent = perClient(before, await ctx.hub.memory(), n);
  const counts = await ctx.fleet.counts();
  row(ctx, {
    scenario: 'connect storm',
    metric: `time until all ${n} connected and said hello`,
    value: ms,
    unit: 'ms',
    reference: { label: 'bare Socket.IO: all connected', value: ctx.shared.floorConnectMs ?? Number.NaN },
    target: { text: '≤ 1.5× floor', met: ctx.shared.floorConnectMs !== undefined && ms <= 1.5 * ctx.shared.floorConnectMs },
  });
  latencyRows(ctx, 'connect storm', 'connect → hello ack', distribution(counts.helloMs));
  const floorMemory = ctx.shared.floorMemoryPerClient;
  row(ctx, {
    scenario: 'connect storm',
    metric: 'hub RSS per connected agent (after a full GC)',
    value: perAgent.rss / KB,
    unit: 'KB',
    reference: { label: 'bare Socket.IO per client', value: (floorMemory?.rss ?? Number.NaN) / KB },
    // RSS that fell while the agents connected is the allocator handing back memory that seeding
    // held, not a measurement: never counted as met.
    target: { text: '≤ 20 KB', met: perAgent.rss > 0 && perAgent.rss <= 20 * KB },
  });
  row(ctx, {
    scenario: 'connect storm',
    metric: 'hub heap + buffers per connected agent (after a full GC)',
    value: perAgent.heap / KB,
    unit: 'KB',
    reference: { label: 'bare Socket.IO per client', value: (floorMemory?.heap ?? Number.NaN) / KB },
  });
  // RSS beyond heap + buffers is mostly heap V8 keeps committed around the live objects.
  row(ctx, {
    scenario: 'connect storm',
    metric: 'hub V8 heap committed per connected agent (after a full GC)',
    value: perAgent.committed / KB,
    unit: 'KB',
    reference: { label: 'bare Socket.IO per client', value: (floorMemory?.committed ?? Number.NaN) / KB },
  });
  breakdownRows(ctx, 'connect storm', breakdown);
  usageRows(ctx, 'connect storm', usage);
};

/** 2. Fan-out: a one-wave rollout to everyone, time from the API call until each agent has its state. */
const fanout: Scenario = async (ctx) => {
  await ensureConnected(ctx, [ctx.hub.url]);
  const meter = new UsageMeter(() => [ctx.hub.pid]);
  const stepsBefore = await rolloutStepTotals(ctx.hub.url);
  const { id, since, answeredMs } = await rolloutToAll(ctx);
  const r = await ctx.fleet.waitAllReceived(since, 120_000);
  if (r.missing > 0) throw new Error(`${r.missing} agents never received the rollout's desired state`);
  const steps = totalsSince(stepsBefore, await rolloutStepTotals(ctx.hub.url));
  const d = distribution(r.times.map((t) => t - since));
  ctx.shared.socketFanout = d;
  const done = await waitRolloutDone(ctx, id, 300_000);
  const usage = meter.stop();
  latencyRows(ctx, 'fan-out', 'API call → agent has its stage', d, ctx.shared.floor, 'bare Socket.IO broadcast');
  // Where the time goes: the API call, then the engine's steps until the last agent had its stage.
  row(ctx, { scenario: 'fan-out', metric: 'of which: the API call (rollout and its targets checked and written)', value: answeredMs, unit: 'ms' });
  row(ctx, { scenario: 'fan-out', metric: 'of which: until the first agent had its stage', value: Math.min(...r.times) - since, unit: 'ms' });
  for (const [phase, t] of steps) row(ctx, { scenario: 'fan-out', metric: `rollout steps until all had it (${t.count}): ${phase}`, value: t.seconds * 1000, unit: 'ms' });
  const floorP99 = ctx.shared.floor?.p99 ?? Number.NaN;
  row(ctx, { scenario: 'fan-out', metric: 'p99 vs 2× floor p99', value: d.p99, unit: 'ms', reference: { label: 'bare Socket.IO p99', value: floorP99 }, target: { text: '≤ 2× floor p99', met: d.p99 <= 2 * floorP99 } });
  const peer = pollingLatency(ctx.opts.pollIntervalMs);
  row(ctx, { scenario: 'fan-out', metric: 'p99 vs 5 s polling peer (expected p99)', value: d.p99, unit: 'ms', reference: { label: 'polling peer p99', value: peer.p99 }, target: { text: '≥ 10× better (ratio ≤ 0.10)', met: d.p99 * 10 <= peer.p99 } });
  row(ctx, { scenario: 'fan-out', metric: `rollout ${done.status} (every target applied and healthy)`, value: Date.now() - since, unit: 'ms' });
  usageRows(ctx, 'fan-out', usage);
};

/** 3. Ingest: every agent sends status reports back to back; count the acknowledged (stored) ones. */
const ingest: Scenario = async (ctx) => {
  await ensureConnected(ctx, [ctx.hub.url]);
  const hellosBefore = (await ctx.fleet.counts()).hellos;
  const meter = new UsageMeter(() => [ctx.hub.pid]);
  const t0 = Date.now();
  const res = await ctx.fleet.flood(ctx.opts.ingestSeconds * 1000);
  const reconnects = (await ctx.fleet.counts()).hellos - hellosBefore;
  const seconds = (Date.now() - t0) / 1000;
  const usage = meter.stop();
  // Durability: the hub acks after the write, so what was acked must be in PostgreSQL.
  const sample = res.lastSeq.filter((s) => s.seq > 0).slice(0, 500);
  const stored = await ctx.cluster.query<{ id: string; message: string | null }>(`SELECT id, components->0->>'message' AS message FROM installations WHERE id = ANY($1::uuid[])`, [sample.map((s) => s.installationId)]);
  const byId = new Map(stored.map((s) => [s.id, s.message]));
  const lost = sample.filter((s) => {
    const m = /^seq (\d+)$/.exec(byId.get(s.installationId) ?? '');
    return m === null || Number(m[1]) < s.seq;
  });
  const durable = sample.length - lost.length;
  const perSecond = res.acked / seconds;
  row(ctx, { scenario: 'ingest', metric: 'status reports stored per second (acked after the write)', value: perSecond, unit: '/s', target: { text: '≥ 5 000/s on one hub process', met: perSecond >= 5000 } });
  row(ctx, { scenario: 'ingest', metric: 'reports refused or timed out', value: res.failed, unit: '' });
  row(ctx, { scenario: 'ingest', metric: 'agents that reconnected during the flood', value: reconnects, unit: '' });
  row(ctx, { scenario: 'ingest', metric: `acked reports found in PostgreSQL (sample of ${sample.length})`, value: durable, unit: '' });
  await ctx.fleet.endFlood();
  if (lost.length > 0) {
    const rows = await ctx.cluster.query<{ id: string; components: unknown; status_updated_at: Date }>(`SELECT id, components, status_updated_at FROM installations WHERE id = ANY($1::uuid[])`, [lost.slice(0, 3).map((l) => l.installationId)]);
    const examples = lost.slice(0, 3).map((l) => `${l.installationId}: acked seq ${l.seq}, stored ${JSON.stringify(rows.find((r) => r.id === l.installationId) ?? null)}`);
    throw new Error(`${lost.length} acknowledged reports are not in the database (${examples.join('; ')})`);
  }
  usageRows(ctx, 'ingest', usage);
};

/** 4. Idle cost: connected idle agents vs the same agents polling every 5 s; then fan-out under polling. */
const idle: Scenario = async (ctx) => {
  await ensureConnected(ctx, [ctx.hub.url]);
  // The reports that ended the ingest flood are written; from here on the fleet is in steady state.
  await sleep(5000);
  const ms = ctx.opts.idleSeconds * 1000;
  let meter = new UsageMeter(() => [ctx.hub.pid]);
  await sleep(ms);
  const socketUsage = meter.stop();
  await ctx.fleet.stopSockets();
  await sleep(3000);
  await ctx.fleet.startPollers([ctx.hub.url], ctx.opts.pollIntervalMs);
  await sleep(ctx.opts.pollIntervalMs); // every poller has started its cycle
  const before = await ctx.fleet.pollerCounts();
  meter = new UsageMeter(() => [ctx.hub.pid]);
  await sleep(ms);
  const pollUsage = meter.stop();
  const after = await ctx.fleet.pollerCounts();
  const polls = { polls: after.polls - before.polls, errors: after.errors - before.errors };
  const socketCpu = cpuPerMinute(socketUsage);
  const pollCpu = cpuPerMinute(pollUsage);
  // A hub that cannot keep up answers fewer polls than the fleet asks for, and its CPU figure stops
  // growing with the fleet: the cost of polling is the CPU per poll answered times the polls asked.
  const demanded = (ctx.seeded.agents.length * ms) / ctx.opts.pollIntervalMs;
  const pollCpuAtDemand = polls.polls > 0 ? (pollUsage.cpuSeconds / polls.polls) * demanded * (60_000 / ms) : Number.NaN;
  const label = `${ctx.opts.pollIntervalMs / 1000} s polling`;
  row(ctx, { scenario: 'idle cost', metric: 'hub CPU per minute, agents connected and idle', value: socketCpu, unit: 's/min', reference: { label: `${label}, every poll answered`, value: pollCpuAtDemand }, target: { text: '≤ 1/10 of polling (ratio ≤ 0.10)', met: socketCpu * 10 <= pollCpuAtDemand } });
  row(ctx, { scenario: 'idle cost', metric: 'hub CPU per minute, agents connected and idle (vs polling as measured)', value: socketCpu, unit: 's/min', reference: { label: `${label}, as measured`, value: pollCpu } });
  row(ctx, { scenario: 'idle cost', metric: 'hub CPU per minute, agents polling (as measured)', value: pollCpu, unit: 's/min' });
  row(ctx, { scenario: 'idle cost', metric: `polls answered in ${ms / 1000} s (errors)`, value: polls.polls, unit: `(${polls.errors} errors)`, reference: { label: 'polls asked for', value: demanded } });
  row(ctx, { scenario: 'idle cost', metric: 'hub CPU per poll answered', value: polls.polls > 0 ? (pollUsage.cpuSeconds / polls.polls) * 1000 : Number.NaN, unit: 'ms' });
  row(ctx, { scenario: 'idle cost', metric: 'hub CPU per minute to answer every poll (per poll × polls asked)', value: pollCpuAtDemand, unit: 's/min' });

  // The peer's latency measured, not only modelled: the same rollout reaching polling agents.
  const { id, since } = await rolloutToAll(ctx);
  const r = await ctx.fleet.waitAllReceived(since, ctx.opts.pollIntervalMs * 4);
  const d = distribution(r.times.map((t) => t - since));
  ctx.shared.pollFanout = d;
  latencyRows(ctx, 'idle cost', 'fan-out to polling agents (those reached)', d);
  // A hub saturated by polling answers late: that is a result, not a failure of the harness.
  row(ctx, { scenario: 'idle cost', metric: `polling agents not reached within ${(ctx.opts.pollIntervalMs * 4) / 1000} s (4 periods)`, value: r.missing, unit: 'agents' });
  if (ctx.shared.socketFanout) {
    row(ctx, { scenario: 'idle cost', metric: 'websocket fan-out p99 vs measured polling p99', value: ctx.shared.socketFanout.p99, unit: 'ms', reference: { label: 'polling p99', value: d.p99 }, target: { text: '≥ 10× better (ratio ≤ 0.10)', met: ctx.shared.socketFanout.p99 * 10 <= d.p99 } });
  }
  // Let every poller take the rollout before they stop, so the next scenario starts clean.
  await ctx.fleet.waitAllReceived(since, 120_000);
  await waitRolloutDone(ctx, id, 120_000);
  await ctx.fleet.stopPollers();
};

/** Fractions of the fleet whose return is timed; past the limit the scenario fails. */
const RECONNECT_FRACTIONS = [0.5, 0.9, 0.99, 1] as const;
const RECONNECT_LIMIT_MS = 240_000;

/** 5. Reconnect storm: a rollout is started and the hub restarted at once; everyone must come back and apply it exactly once. */
const reconnect: Scenario = async (ctx) => {
  await ensureConnected(ctx, [ctx.hub.url]);
  const n = ctx.seeded.agents.length;
  const { id, since } = await rolloutToAll(ctx);
  const t0 = Date.now();
  await ctx.hub.stop();
  const stopMs = Date.now() - t0;
  ctx.hub = await ctx.cluster.start(ctx.hub.port);
  const readyMs = Date.now() - t0;
  const meter = new UsageMeter(() => [ctx.hub.pid]);
  const curve = await ctx.fleet.waitAllHelloedSince(t0, RECONNECT_LIMIT_MS, RECONNECT_FRACTIONS);
  const allBackMs = curve.get(1) ?? Number.NaN;
  const usage = meter.stop();
  // The new process's counters start at zero: everything in them is the storm's (and the rollout's).
  const hubMetrics = await scrapeHub(ctx.hub.url);
  const stepPhases = histogramTotals(hubMetrics, 'flotilla_rollout_step_seconds', 'phase');
  const phases = [...stepPhases.values()];
  const steps = { count: Math.max(0, ...phases.map((p) => p.count)), seconds: phases.reduce((sum, p) => sum + p.seconds, 0) };
  await ctx.fleet.waitAllReceived(since, 120_000);
  const done = await waitRolloutDone(ctx, id, 300_000);
  const applies = await ctx.fleet.applies(since);
  row(ctx, { scenario: 'reconnect storm', metric: 'graceful hub stop with all agents connected', value: stopMs, unit: 'ms' });
  row(ctx, { scenario: 'reconnect storm', metric: 'stop → new hub process ready', value: readyMs, unit: 'ms' });
  for (const f of RECONNECT_FRACTIONS.filter((x) => x < 1)) {
    row(ctx, { scenario: 'reconnect storm', metric: `stop → ${f * 100}% reconnected and said hello`, value: curve.get(f) ?? Number.NaN, unit: 'ms' });
  }
  row(ctx, { scenario: 'reconnect storm', metric: `stop → all ${n} reconnected and said hello`, value: allBackMs, unit: 'ms', target: { text: '≤ 20 s', met: allBackMs <= 20_000 } });
  row(ctx, { scenario: 'reconnect storm', metric: `new hub process ready → all ${n} reconnected and said hello`, value: allBackMs - readyMs, unit: 'ms' });
  row(ctx, { scenario: 'reconnect storm', metric: 'rollout started before the restart: lost (never applied)', value: applies.notApplied, unit: 'agents', target: { text: '0', met: applies.notApplied === 0 } });
  row(ctx, { scenario: 'reconnect storm', metric: 'applied twice', value: applies.appliedTwice, unit: 'agents', target: { text: '0', met: applies.appliedTwice === 0 } });
  row(ctx, { scenario: 'reconnect storm', metric: 'duplicate deliveries (ignored by revision)', value: applies.duplicateDeliveries, unit: '' });
  row(ctx, { scenario: 'reconnect storm', metric: `rollout ${done.status} after the restart`, value: Date.now() - t0, unit: 'ms' });
  row(ctx, { scenario: 'reconnect storm', metric: 'rollout steps that changed something while agents came back (their total time)', value: steps.count, unit: `(${steps.seconds.toFixed(1)} s)` });
  for (const [phase, t] of stepPhases) row(ctx, { scenario: 'reconnect storm', metric: `of which, in all steps: ${phase}`, value: t.seconds * 1000, unit: 'ms' });
  breakdownRows(ctx, 'reconnect storm', handshakeBreakdown('', hubMetrics));
  usageRows(ctx, 'reconnect storm', usage, 'new process, ready → all back');
};

/** 6. Multi-node: two hub processes + Redis, agents split between them, fan-out again. */
const multinode: Scenario = async (ctx) => {
  const second = await ctx.cluster.start(ctx.ports[1] ?? 0);
  try {
    await ctx.fleet.stopSockets();
    await sleep(2000);
    await ctx.fleet.startSockets([ctx.hub.url, second.url]);
    await ctx.fleet.waitAllHelloed(180_000);
    const meter = new UsageMeter(() => [ctx.hub.pid, second.pid]);
    const { id, since } = await rolloutToAll(ctx);
    const r = await ctx.fleet.waitAllReceived(since, 120_000);
    if (r.missing > 0) throw new Error(`${r.missing} agents never received the rollout's desired state`);
    const d = distribution(r.times.map((t) => t - since));
    const done = await waitRolloutDone(ctx, id, 300_000);
    const usage = meter.stop();
    latencyRows(ctx, 'multi-node (2 hubs)', 'API call → agent has its stage', d, ctx.shared.socketFanout, 'one hub');
    row(ctx, { scenario: 'multi-node (2 hubs)', metric: `rollout ${done.status}`, value: Date.now() - since, unit: 'ms' });
    usageRows(ctx, 'multi-node (2 hubs)', usage);
  } finally {
    await ctx.fleet.stopSockets();
    await second.stop();
  }
};

export const SCENARIO_RUNNERS: Record<ScenarioName, Scenario> = { connect, fanout, ingest, idle, reconnect, multinode, outage, metrics };

import { sleep } from './hub.js';
import { UsageMeter, type Usage } from './proc.js';
import { addedCorePercent } from './event-figures.js';
import { ensureConnected, ensureFloor, latencyRows, measureFanouts, row, type BenchContext, type Scenario } from './scenario-kit.js';

const SCENARIO = 'metrics';
/** agent-core's default metrics interval. */
export const METRICS_INTERVAL_MS = 30_000;
/** Issue #19's target: the hub CPU that the fleet's metrics cost, in % of one core. */
const CORE_PERCENT_LIMIT = 10;
/** "Not slowed": the fan-out's p99 with metrics flowing at most this many times the one without. */
const FANOUT_SLOWDOWN_LIMIT = 1.5;
/** Rollouts per side of the fan-out comparison (pooled). */
const FANOUT_RUNS = 2;

async function measureWindow(ctx: BenchContext, ms: number): Promise<Usage> {
  const meter = new UsageMeter(() => [ctx.hub.pid]);
  await sleep(ms);
  return meter.stop();
}

async function metricRows(ctx: BenchContext, from: Date, to: Date): Promise<number> {
  const [r] = await ctx.cluster.query<{ n: string }>(`SELECT count(*) AS n FROM installation_metrics WHERE step_seconds = 0 AND component = '' AND at >= $1 AND at < $2`, [from, to]);
  return Number(r?.n ?? 0);
}

/**
 * 8. Metrics: every agent sends agent-core's usage sample (a status report carrying `usage`: host
 * CPU, memory and disk, one component) every 30 s, spread over the interval. The hub's CPU over a
 * window without them and one of the same length with them (after a full interval, so every agent
 * is in its cycle), as % of one core; then the fan-out with metrics flowing against without (two
 * rollouts each, pooled).
 */
export const metrics: Scenario = async (ctx) => {
  const n = ctx.seeded.agents.length;
  const windowMs = ctx.opts.metricsSeconds * 1000;
  await ensureFloor(ctx);
  await ensureConnected(ctx, [ctx.hub.url]);
  await sleep(5000);

  // Without: the agents connected, their periodic status reports only (as since the connect).
  const quiet = await measureFanouts(ctx, FANOUT_RUNS);
  await sleep(5000);
  const without = await measureWindow(ctx, windowMs);

  // With: usage samples from every agent; one interval first, so the window sees the steady rate.
  await ctx.fleet.startMetrics(METRICS_INTERVAL_MS);
  try {
    await sleep(METRICS_INTERVAL_MS + 2000);
    const sent0 = await ctx.fleet.metricsCounts();
    const from = new Date();
    const withMetrics = await measureWindow(ctx, windowMs);
    const to = new Date();
    const sent1 = await ctx.fleet.metricsCounts();
    const busy = await measureFanouts(ctx, FANOUT_RUNS);
    await sleep(2000);
    const stored = await metricRows(ctx, from, to);
    const counts = await ctx.fleet.metricsCounts();

    const cost = addedCorePercent(without, withMetrics);
    const expected = (n * windowMs) / METRICS_INTERVAL_MS;
    row(ctx, { scenario: SCENARIO, metric: `usage samples sent in the ${windowMs / 1000} s window (every agent every ${METRICS_INTERVAL_MS / 1000} s)`, value: sent1.sent - sent0.sent, unit: '', reference: { label: 'expected', value: expected } });
    row(ctx, { scenario: SCENARIO, metric: 'host samples stored in that window (installation_metrics)', value: stored, unit: '', reference: { label: 'expected', value: expected } });
    row(ctx, { scenario: SCENARIO, metric: 'usage reports refused or unanswered (whole scenario)', value: counts.failed, unit: '', reference: { label: 'sent', value: counts.sent } });
    row(ctx, { scenario: SCENARIO, metric: 'hub CPU, agents connected, no metrics', value: cost.without, unit: '% of a core' });
    row(ctx, { scenario: SCENARIO, metric: 'hub CPU, agents connected, metrics every 30 s', value: cost.with, unit: '% of a core' });
    row(ctx, { scenario: SCENARIO, metric: `hub CPU the metrics of ${n} agents cost (with − without)`, value: cost.added, unit: '% of a core', target: { text: `≤ ${CORE_PERCENT_LIMIT} % of one core`, met: cost.added <= CORE_PERCENT_LIMIT } });
    latencyRows(ctx, SCENARIO, `fan-out with metrics flowing (${FANOUT_RUNS} rollouts pooled)`, busy.latency, quiet.latency, 'without metrics');
    row(ctx, { scenario: SCENARIO, metric: `fan-out p99 of each rollout: without metrics ${quiet.p99s.map((p) => Math.round(p)).join(', ')} ms; with: ${busy.p99s.map((p) => Math.round(p)).join(', ')} ms (worst with)`, value: Math.max(...busy.p99s), unit: 'ms', reference: { label: 'worst without', value: Math.max(...quiet.p99s) } });
    row(ctx, { scenario: SCENARIO, metric: 'fan-out p99 with metrics vs without', value: busy.latency.p99, unit: 'ms', reference: { label: 'p99 without metrics', value: quiet.latency.p99 }, target: { text: `≤ ${FANOUT_SLOWDOWN_LIMIT}× without`, met: busy.latency.p99 <= FANOUT_SLOWDOWN_LIMIT * quiet.latency.p99 } });
    row(ctx, { scenario: SCENARIO, metric: 'fan-out p99 with metrics vs floor', value: busy.latency.p99, unit: 'ms', reference: { label: 'bare Socket.IO p99', value: ctx.shared.floor?.p99 ?? Number.NaN } });
    row(ctx, { scenario: SCENARIO, metric: 'fan-out p99 without metrics vs floor', value: quiet.latency.p99, unit: 'ms', reference: { label: 'bare Socket.IO p99', value: ctx.shared.floor?.p99 ?? Number.NaN } });
  } finally {
    await ctx.fleet.stopMetrics();
  }
};

import { parseArgs } from 'node:util';

export const SCENARIOS = ['connect', 'fanout', 'ingest', 'idle', 'reconnect', 'multinode', 'outage', 'metrics'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];
/**
 * What --quick runs unless --scenarios says otherwise: outage and metrics are left out, as they wait
 * on minute-long hub thresholds (an alert for "offline 1 minute", metrics every 30 s) that do not fit
 * its 2-minute budget.
 */
export const QUICK_SCENARIOS: readonly ScenarioName[] = ['connect', 'fanout', 'ingest', 'idle', 'reconnect', 'multinode'];

/** A typical receiver (a chat or paging service's webhook) takes about this long to answer. */
export const DEFAULT_RECEIVER_LATENCY_MS = 100;

export interface BenchOptions {
  quick: boolean;
  agents: number;
  /** Child processes hosting the simulated agents. */
  workers: number;
  scenarios: ScenarioName[];
  /** Seconds of the idle-cost comparison (each side). */
  idleSeconds: number;
  /** Seconds the ingest scenario runs. */
  ingestSeconds: number;
  /** Seconds of each side of the metrics comparison (hub CPU without, then with, agents' metrics). */
  metricsSeconds: number;
  /** Poll period of the polling peer (ms). */
  pollIntervalMs: number;
  /** How long the outage scenario's webhook receiver takes to answer (ms): real receivers are not instant. */
  receiverLatencyMs: number;
  /** Where the results go (file names: result-files.ts). */
  outDir: string;
  /** A label stored with the results (e.g. "before batching"). */
  label: string;
  /** When set, hub processes run with `--cpu-prof` and write their profiles here. */
  cpuProfDir: string | undefined;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

export const USAGE = `Usage: npm run bench -- [--quick] [--agents N] [--workers N] [--scenarios a,b] [--idle-seconds S]
                          [--ingest-seconds S] [--metrics-seconds S] [--poll-interval-ms MS] [--receiver-latency-ms MS]
                          [--out DIR] [--label TEXT] [--cpu-prof DIR]
Scenarios: ${SCENARIOS.join(', ')} (default: all).
--quick = 1 000 agents, short phases (< 2 min), scenarios ${QUICK_SCENARIOS.join(', ')} unless --scenarios is given.`;

function positiveInt(name: string, raw: string | undefined, def: number, max: number, min = 1): number {
  if (raw === undefined) return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  return n;
}

/** Parses the command line; throws UsageError with a clear message on bad input. */
export function parseOptions(argv: string[], defaultOutDir: string): BenchOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        quick: { type: 'boolean', default: false },
        agents: { type: 'string' },
        workers: { type: 'string' },
        scenarios: { type: 'string' },
        'idle-seconds': { type: 'string' },
        'ingest-seconds': { type: 'string' },
        'metrics-seconds': { type: 'string' },
        'poll-interval-ms': { type: 'string' },
        'receiver-latency-ms': { type: 'string' },
        out: { type: 'string' },
        label: { type: 'string' },
        'cpu-prof': { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const v = parsed.values;
  const quick = v.quick ?? false;
  const scenarios = (v.scenarios?.split(',').map((s) => s.trim()).filter((s) => s !== '') ?? [...(quick ? QUICK_SCENARIOS : SCENARIOS)]) as string[];
  const unknown = scenarios.filter((s) => !(SCENARIOS as readonly string[]).includes(s));
  if (unknown.length > 0) throw new UsageError(`unknown scenario(s) ${unknown.join(', ')}; choose from ${SCENARIOS.join(', ')}`);
  if (scenarios.length === 0) throw new UsageError('--scenarios is empty');
  return {
    quick,
    agents: positiveInt('agents', v.agents, quick ? 1000 : 10_000, 50_000),
    workers: positiveInt('workers', v.workers, quick ? 2 : 4, 32),
    scenarios: SCENARIOS.filter((s) => scenarios.includes(s)),
    idleSeconds: positiveInt('idle-seconds', v['idle-seconds'], quick ? 10 : 60, 3600),
    ingestSeconds: positiveInt('ingest-seconds', v['ingest-seconds'], quick ? 4 : 10, 600),
    metricsSeconds: positiveInt('metrics-seconds', v['metrics-seconds'], quick ? 30 : 60, 3600),
    pollIntervalMs: positiveInt('poll-interval-ms', v['poll-interval-ms'], 5000, 600_000),
    receiverLatencyMs: positiveInt('receiver-latency-ms', v['receiver-latency-ms'], DEFAULT_RECEIVER_LATENCY_MS, 10_000, 0),
    outDir: v.out ?? defaultOutDir,
    label: v.label ?? (quick ? 'quick' : 'full'),
    cpuProfDir: v['cpu-prof'],
  };
}

import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';

export const LogLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);
export type LogLevel = z.infer<typeof LogLevel>;

export interface AgentConfig {
  /** Base URL of the hub (http/https); the agent connects to its `/agent` namespace. */
  hubUrl: string;
  agentId: string;
  secret: string;
  /** Absolute path of the directory holding `state.json` and the driver's files. */
  stateDir: string;
  logLevel: LogLevel;
  /** A status report is sent at least this often (ms), even when nothing changed. */
  statusIntervalMs: number;
  /** How often the driver's health is sampled (ms); a change is reported at once. */
  healthIntervalMs: number;
  /** How long a stage may take to become healthy before the next stage is applied (ms). */
  healthTimeoutMs: number;
  /** Period of the HTTP polling fallback (ms, whole seconds; default 5 s). */
  pollIntervalMs?: number;
  /** How long without a websocket session before falling back to HTTP polling (ms; 0 = never; default 30 s). */
  pollAfterMs?: number;
  /** How often resource usage is sampled and sent (ms; 0 = never; default 30 s). */
  metricsIntervalMs?: number;
}

/** Defaults of the optional settings above (loadConfig always fills them in). */
export const DEFAULT_POLL_INTERVAL_MS = 5000;
export const DEFAULT_POLL_AFTER_MS = 30_000;
export const DEFAULT_METRICS_INTERVAL_MS = 30_000;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Every setting: its environment variable, its CLI flag, and its schema. README mirrors this table. */
const SETTINGS = {
  FLOTILLA_HUB_URL: 'hub-url',
  FLOTILLA_AGENT_ID: 'agent-id',
  FLOTILLA_AGENT_SECRET: 'agent-secret',
  FLOTILLA_STATE_DIR: 'state-dir',
  FLOTILLA_LOG_LEVEL: 'log-level',
  FLOTILLA_STATUS_INTERVAL: 'status-interval',
  FLOTILLA_HEALTH_INTERVAL: 'health-interval',
  FLOTILLA_HEALTH_TIMEOUT: 'health-timeout',
  FLOTILLA_POLL_INTERVAL: 'poll-interval',
  FLOTILLA_POLL_AFTER: 'poll-after',
  FLOTILLA_METRICS_INTERVAL: 'metrics-interval',
} as const;
type EnvName = keyof typeof SETTINGS;

/** Relative to the working directory. */
export const DEFAULT_STATE_DIR = './.flotilla-agent';

const emptyToUndefined = (v: unknown) => (v === '' ? undefined : v);
const required = (schema: z.ZodString) => z.preprocess(emptyToUndefined, schema.min(1, 'is required'));
const seconds = (def: number, min: number, max: number) =>
  z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ message: 'must be a number of seconds' })
      .min(min, `must be at least ${min} seconds`)
      .max(max, `must be at most ${max} seconds`)
      .default(def),
  );

const Settings = z.object({
  FLOTILLA_HUB_URL: required(z.string({ message: 'is required' })).refine(
    (v) => URL.canParse(v) && ['http:', 'https:'].includes(new URL(v).protocol),
    { message: 'must be an http:// or https:// URL' },
  ),
  FLOTILLA_AGENT_ID: required(z.string({ message: 'is required' }).max(100)),
  FLOTILLA_AGENT_SECRET: required(z.string({ message: 'is required' }).max(200)),
  FLOTILLA_STATE_DIR: z.preprocess(emptyToUndefined, z.string().default(DEFAULT_STATE_DIR)),
  FLOTILLA_LOG_LEVEL: z.preprocess(
    emptyToUndefined,
    z.enum(LogLevel.options, { message: `must be one of ${LogLevel.options.join(', ')}` }).default('info'),
  ),
  FLOTILLA_STATUS_INTERVAL: seconds(30, 1, 3600),
  FLOTILLA_HEALTH_INTERVAL: seconds(5, 0.1, 3600),
  FLOTILLA_HEALTH_TIMEOUT: seconds(300, 1, 86_400),
  // Whole seconds: the hub takes the period as an integer header and keeps the session for three of them.
  FLOTILLA_POLL_INTERVAL: seconds(DEFAULT_POLL_INTERVAL_MS / 1000, 1, 3600).refine(Number.isInteger, { message: 'must be a whole number of seconds' }),
  FLOTILLA_POLL_AFTER: seconds(DEFAULT_POLL_AFTER_MS / 1000, 0, 86_400),
  FLOTILLA_METRICS_INTERVAL: seconds(DEFAULT_METRICS_INTERVAL_MS / 1000, 0, 3600),
});

/** Usage text for `--help`. */
export const USAGE = `Options (each also read from its environment variable; a flag wins):
  --hub-url URL            FLOTILLA_HUB_URL         hub base URL, http:// or https:// (required)
  --agent-id ID            FLOTILLA_AGENT_ID        agent id from the hub (required)
  --agent-secret SECRET    FLOTILLA_AGENT_SECRET    agent secret from the hub (required; prefer the env variable)
  --state-dir DIR          FLOTILLA_STATE_DIR       local state directory (default ./.flotilla-agent)
  --log-level LEVEL        FLOTILLA_LOG_LEVEL       fatal|error|warn|info|debug|trace|silent (default info)
  --status-interval SEC    FLOTILLA_STATUS_INTERVAL status report at least every SEC seconds (default 30)
  --health-interval SEC    FLOTILLA_HEALTH_INTERVAL health sampled every SEC seconds (default 5)
  --health-timeout SEC     FLOTILLA_HEALTH_TIMEOUT  a stage must be healthy within SEC seconds (default 300)
  --poll-interval SEC      FLOTILLA_POLL_INTERVAL   HTTP polling period when the websocket is unavailable (default 5)
  --poll-after SEC         FLOTILLA_POLL_AFTER      poll over HTTP after SEC seconds without a websocket; 0 = never (default 30)
  --metrics-interval SEC   FLOTILLA_METRICS_INTERVAL host and component metrics sent every SEC seconds; 0 = never (default 30)
  --help                   print this text

healthcheck [--state-dir DIR] [--max-offline SEC]
  exits 0 while the agent runs (heartbeat in the state directory) and has not been
  cut off from the hub for more than SEC seconds (default 300); for container HEALTHCHECKs`;

/**
 * Builds the configuration from the environment and CLI flags (flags win). The only reader of
 * `process.env` in agent-core; throws `ConfigError` naming the variable and flag at fault.
 */
export function loadConfig(
  argv: readonly string[] = process.argv.slice(2),
  env: Record<string, string | undefined> = process.env,
  cwd = process.cwd(),
): AgentConfig {
  const flags = parseFlags(argv);
  const merged: Partial<Record<EnvName, string>> = {};
  for (const [name, flag] of Object.entries(SETTINGS) as [EnvName, string][]) {
    const value = flags[flag] ?? env[name];
    if (value !== undefined) merged[name] = value;
  }
  const parsed = Settings.safeParse(merged);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? '');
      const flag = (SETTINGS as Record<string, string>)[name];
      return `${name}${flag === undefined ? '' : ` (--${flag})`} ${issue.message}`;
    });
    throw new ConfigError(`Invalid agent configuration: ${problems.join('; ')}`);
  }
  const s = parsed.data;
  return {
    hubUrl: s.FLOTILLA_HUB_URL.replace(/\/+$/, ''),
    agentId: s.FLOTILLA_AGENT_ID,
    secret: s.FLOTILLA_AGENT_SECRET,
    stateDir: path.resolve(cwd, s.FLOTILLA_STATE_DIR),
    logLevel: s.FLOTILLA_LOG_LEVEL,
    statusIntervalMs: Math.round(s.FLOTILLA_STATUS_INTERVAL * 1000),
    healthIntervalMs: Math.round(s.FLOTILLA_HEALTH_INTERVAL * 1000),
    healthTimeoutMs: Math.round(s.FLOTILLA_HEALTH_TIMEOUT * 1000),
    pollIntervalMs: s.FLOTILLA_POLL_INTERVAL * 1000,
    pollAfterMs: Math.round(s.FLOTILLA_POLL_AFTER * 1000),
    metricsIntervalMs: Math.round(s.FLOTILLA_METRICS_INTERVAL * 1000),
  };
}

/** True when the command line asks for `--help` (checked before the configuration is parsed). */
export function wantsHelp(argv: readonly string[] = process.argv.slice(2)): boolean {
  return argv.includes('--help') || argv.includes('-h');
}

function parseFlags(argv: readonly string[]): Record<string, string | undefined> {
  const options = Object.fromEntries(Object.values(SETTINGS).map((flag) => [flag, { type: 'string' as const }]));
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    });
    const out: Record<string, string | undefined> = {};
    const given: Record<string, string | boolean | undefined> = values;
    for (const flag of Object.values(SETTINGS)) {
      const v = given[flag];
      if (typeof v === 'string') out[flag] = v;
    }
    return out;
  } catch (err) {
    throw new ConfigError(`Invalid command line: ${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
  }
}

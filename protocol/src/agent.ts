import { z } from 'zod';
import { AgentKind, ComponentName, EnvName, Health, Int32, IsoDate, text } from './common.js';
import { ErrorCode } from './errors.js';
import { LicenseDelivery } from './rest/licenses.js';
import { BundleChunk, BundleCollect, BundleEnd, BundleFailed } from './support-bundles.js';

/** Bumped on any incompatible change to the `/agent` events. */
export const PROTOCOL_VERSION = 1;

/** Socket.IO `auth` of the agent handshake. */
export const AgentAuth = z.object({
  agentId: text(100).min(1),
  secret: text(200).min(1),
  agentVersion: text(50).min(1),
  protocolVersion: z.number().int().positive(),
  kind: AgentKind,
});
export type AgentAuth = z.infer<typeof AgentAuth>;

export const ComposeSpec = z.object({
  /** The compose file, YAML text, exactly as the vendor wrote it. */
  file: text(1_000_000).min(1),
  /** Env file content (KEY=value lines) written beside the compose file. */
  env: text(256_000).optional(),
  /**
   * The installation's own environment for this component (configured values and secrets), given to
   * `docker compose` as process environment: `${VAR}` in the file resolves to it. Secrets travel in
   * plain text only on the wire to the agent; the hub stores them sealed.
   */
  environment: z.record(EnvName, text(64_000)).optional(),
  /** The keys of `environment` that are secrets: never logged, redacted in support bundles. */
  secretKeys: z.array(EnvName).max(500).optional(),
});
export type ComposeSpec = z.infer<typeof ComposeSpec>;

/** Chart repository or OCI registry credentials; the agent passes them to helm on stdin or in files, never as arguments. */
export const RegistryCredentials = z.object({
  username: text(200).min(1),
  password: text(4000).min(1),
});
export type RegistryCredentials = z.infer<typeof RegistryCredentials>;

export const HelmSpec = z.object({
  chart: text(253).min(1),
  repo: text(2000).optional(),
  oci: text(2000).optional(),
  chartVersion: text(100).min(1),
  /** Values YAML after the hub merged version defaults with installation overrides. */
  values: text(1_000_000).optional(),
  credentials: RegistryCredentials.optional(),
  /** `helm --timeout` in seconds for `--wait` (default chosen by the agent). */
  timeoutSeconds: z.number().int().min(1).max(3600).optional(),
});
export type HelmSpec = z.infer<typeof HelmSpec>;

const componentBase = {
  /** Unique within an installation. */
  name: ComponentName,
  version: text(200).min(1),
  /** 1-based release stage: stage k+1 is applied only once stage k is healthy. */
  stage: Int32.min(1),
};

export const DesiredComponent = z.discriminatedUnion('kind', [
  z.object({ ...componentBase, kind: z.literal('compose'), spec: ComposeSpec }),
  z.object({ ...componentBase, kind: z.literal('helm'), spec: HelmSpec }),
]);
export type DesiredComponent = z.infer<typeof DesiredComponent>;

export const DesiredState = z.object({
  installationId: z.string().min(1),
  /** Monotonically increasing; 0 means "nothing deployed yet". */
  revision: Int32.min(0),
  components: z.array(DesiredComponent),
});
export type DesiredState = z.infer<typeof DesiredState>;

/**
 * The runtime's revision is not the one the agent applied (someone ran `helm` by hand, or an atomic
 * upgrade rolled back). Reported instead of retrying in a loop; a `redeploy` command resolves it.
 */
export const Drift = z.object({
  /** The revision the agent applied (e.g. the Helm release revision after its last upgrade). */
  appliedRevision: Int32.min(0),
  /** The revision the runtime reports now. */
  actualRevision: Int32.min(0),
});
export type Drift = z.infer<typeof Drift>;

export const ComponentStatus = z.object({
  name: text(63).min(1),
  version: text(500).nullable(),
  health: Health,
  message: text(8000).optional(),
  since: IsoDate,
  drift: Drift.optional(),
});
export type ComponentStatus = z.infer<typeof ComponentStatus>;

export const HostFacts = z.object({
  hostname: text(255),
  os: text(100),
  arch: text(50),
  /** e.g. "docker 28.2.2 / compose v2.36" or "helm v3.16 / k8s v1.31". */
  runtime: text(200).optional(),
});
export type HostFacts = z.infer<typeof HostFacts>;

export const AgentHello = z.object({
  host: HostFacts,
  appliedRevision: Int32.min(0),
  components: z.array(ComponentStatus).max(500),
});
export type AgentHello = z.infer<typeof AgentHello>;

/** A non-negative measurement (bytes can exceed 32 bits). */
const Measure = z.number().finite().min(0);
/** Bytes: stored as bigint (int8), so at most what a double holds exactly. */
const Bytes = Measure.max(Number.MAX_SAFE_INTEGER);

/** The host the agent runs on (compose: the Docker host; helm: the cluster's nodes, when the metrics API answers). */
export const HostUsage = z.object({
  /** Busy share of all cores over the last interval, 0–100. */
  cpuPercent: Measure.max(100),
  memoryUsedBytes: Bytes,
  memoryTotalBytes: Bytes,
  /** The filesystem holding the agent's state directory. */
  diskUsedBytes: Bytes,
  diskTotalBytes: Bytes,
});
export type HostUsage = z.infer<typeof HostUsage>;

/** One component's workloads, summed over its containers or pods. */
export const ComponentUsage = z.object({
  name: text(63).min(1),
  /** Percent of one core (200 = two cores busy); bounded so roll-up averages stay finite. */
  cpuPercent: Measure.max(1_000_000),
  memoryBytes: Bytes,
  /** Restarts counted by the runtime (docker's RestartCount, the pods' restartCount), summed. */
  restarts: Int32.min(0),
});
export type ComponentUsage = z.infer<typeof ComponentUsage>;

/** Resource usage sampled by the agent every `metricsIntervalMs` (30 s by default). */
export const UsageSample = z.object({
  at: IsoDate,
  host: HostUsage.optional(),
  components: z.array(ComponentUsage).max(500),
  /** Why component metrics are missing (e.g. the cluster has no metrics API). */
  unavailable: text(500).optional(),
});
export type UsageSample = z.infer<typeof UsageSample>;

export const StatusReport = z.object({
  /** The revision the agent has applied (what runs now). */
  revision: Int32.min(0),
  components: z.array(ComponentStatus).max(500),
  /** Free-form counters; reserved, not stored. Resource usage travels in `usage`. */
  metrics: z.record(text(200), z.number()).optional(),
  /** The latest resource usage sample, sent once with the report that follows it. */
  usage: UsageSample.optional(),
});
export type StatusReport = z.infer<typeof StatusReport>;

/**
 * `redeploy` re-applies the current desired state even where it looks unchanged (resolves drift);
 * `self-update` replaces the agent with `image` (it reconnects reporting `agentVersion`).
 */
export const CommandType = z.enum(['deploy-stage', 'rollback', 'restart', 'uninstall', 'collect-logs', 'self-update', 'redeploy']);
export type CommandType = z.infer<typeof CommandType>;

export const Command = z.object({
  id: z.string().min(1),
  type: CommandType,
  revision: z.number().int().min(0).optional(),
  stage: z.number().int().min(1).optional(),
  components: z.array(DesiredComponent).optional(),
  /** Names the command applies to (restart, uninstall, collect-logs). */
  targets: z.array(z.string()).optional(),
  agentVersion: z.string().optional(),
  image: z.string().optional(),
  /** collect-logs: how many of the last lines per component. */
  lines: z.number().int().min(1).max(5000).optional(),
});
export type Command = z.infer<typeof Command>;

export const CommandAck = z.object({ accepted: z.boolean(), reason: z.string().optional() });
export type CommandAck = z.infer<typeof CommandAck>;

export const CommandProgress = z.object({
  id: text(100).min(1),
  status: z.enum(['running', 'succeeded', 'failed']),
  message: text(8000).optional(),
  components: z.array(ComponentStatus).max(500).optional(),
});
export type CommandProgress = z.infer<typeof CommandProgress>;

export const LogsChunk = z.object({
  commandId: text(100).min(1),
  component: text(63).optional(),
  lines: z.array(text(16_000)).max(1000),
  done: z.boolean().optional(),
});
export type LogsChunk = z.infer<typeof LogsChunk>;

/**
 * Live log tail: limits the hub sets on one follow. Lines beyond the rate are dropped (the next chunk
 * says how many); the agent sends at most `window` chunks the hub has not acknowledged yet and pauses
 * reading the runtime's log stream meanwhile (credit-based backpressure).
 */
export const LogFollowLimits = z.object({
  linesPerSecond: z.number().int().min(1).max(10_000),
  bytesPerSecond: z.number().int().min(256).max(10_000_000),
  /** Unacknowledged chunks in flight before the agent pauses. */
  window: z.number().int().min(1).max(64),
  /** The agent ends the follow on its own after this long (a hub that forgot to stop it). */
  maxDurationSeconds: z.number().int().min(1).max(86_400),
});
export type LogFollowLimits = z.infer<typeof LogFollowLimits>;

/** hub → agent `logs:follow`: start following one component's logs (acked with CommandAck). */
export const LogFollowStart = z.object({
  followId: text(100).min(1),
  component: ComponentName,
  /** How many past lines to start with (0: only new ones). */
  tail: z.number().int().min(0).max(1000),
  limits: LogFollowLimits,
});
export type LogFollowStart = z.infer<typeof LogFollowStart>;

/** hub → agent `logs:unfollow`: stop a follow (unknown ids are ignored). */
export const LogFollowStop = z.object({ followId: text(100).min(1) });
export type LogFollowStop = z.infer<typeof LogFollowStop>;

/** Why a follow ended, as the agent saw it. */
export const LogFollowEnd = z.object({ reason: text(2000) });
export type LogFollowEnd = z.infer<typeof LogFollowEnd>;

/** agent → hub `logs:stream`: the next lines of a follow; the hub's ack is the credit back. */
export const LogStreamChunk = z.object({
  followId: text(100).min(1),
  /** 0, 1, 2… per follow. */
  seq: Int32.min(0),
  lines: z.array(text(16_000)).max(1000),
  /** Lines dropped by the rate cap (or while paused) since the previous chunk. */
  dropped: Int32.min(0).optional(),
  /** Set on the last chunk: the follow is over. */
  end: LogFollowEnd.optional(),
});
export type LogStreamChunk = z.infer<typeof LogStreamChunk>;

/** The error an ack carries when the hub refuses an event (bad payload, unknown state…). */
export const ErrorAck = z.object({ error: z.object({ code: ErrorCode, message: z.string() }) });
export type ErrorAck = z.infer<typeof ErrorAck>;

export const OkAck = z.object({ ok: z.literal(true) });
export type OkAck = z.infer<typeof OkAck>;

export const HelloAck = z.object({
  desired: DesiredState.nullable(),
  commands: z.array(Command).default([]),
  /** The customer's current signed license (null: none); absent from hubs that predate licenses. */
  license: LicenseDelivery.shape.license.optional(),
});
export type HelloAck = z.infer<typeof HelloAck>;

export type Ack<T> = (response: T | ErrorAck) => void;

/**
 * Sent by a hub process that is about to shut down (a restart, a deploy) to every agent it holds,
 * just before it closes their connections. The agent reconnects after a random delay within
 * `reconnectWithinMs` (spread so the fleet does not arrive at once), without the escalating backoff
 * of an unexpected loss, and keeps doing so for a while if the hub is still down.
 */
export const HubRestarting = z.object({ reconnectWithinMs: z.number().int().min(0).max(600_000) });
export type HubRestarting = z.infer<typeof HubRestarting>;

/** Events an agent sends; every one is acknowledged so the agent knows it was stored. */
export interface AgentToHubEvents {
  'agent:hello': (payload: AgentHello, ack: Ack<HelloAck>) => void;
  'status:report': (payload: StatusReport, ack: Ack<OkAck>) => void;
  'command:progress': (payload: CommandProgress, ack: Ack<OkAck>) => void;
  'logs:chunk': (payload: LogsChunk, ack: Ack<OkAck>) => void;
  'logs:stream': (payload: LogStreamChunk, ack: Ack<OkAck>) => void;
  /** Support bundles: the archive's next chunk (the ack is the go-ahead for the next), its end, or why it failed. */
  'bundle:chunk': (payload: BundleChunk, ack: Ack<OkAck>) => void;
  'bundle:end': (payload: BundleEnd, ack: Ack<OkAck>) => void;
  'bundle:failed': (payload: BundleFailed, ack: Ack<OkAck>) => void;
}

export interface HubToAgentEvents {
  /** Acked by the agent once it has taken the state in; unacked deliveries are retried, and hello re-sends it anyway. */
  'state:desired': (payload: DesiredState, ack: (response: CommandAck) => void) => void;
  command: (payload: Command, ack: (response: CommandAck) => void) => void;
  'hub:restarting': (payload: HubRestarting) => void;
  /** The customer's license changed (issued, replaced, revoked): the agent hands it to the application. */
  'license:current': (payload: LicenseDelivery, ack: (response: CommandAck) => void) => void;
  /** Start a live log follow; `{accepted: false, reason}` when the component or the driver cannot. */
  'logs:follow': (payload: LogFollowStart, ack: (response: CommandAck) => void) => void;
  'logs:unfollow': (payload: LogFollowStop) => void;
  /** Collect a support bundle and stream it back (`{accepted: false, reason}` when the agent cannot). */
  'bundle:collect': (payload: BundleCollect, ack: (response: CommandAck) => void) => void;
}

/** Schemas of the agent → hub payloads, looked up by the hub's validation wrapper. */
export const agentToHubSchemas = {
  'agent:hello': AgentHello,
  'status:report': StatusReport,
  'command:progress': CommandProgress,
  'logs:chunk': LogsChunk,
  'logs:stream': LogStreamChunk,
  'bundle:chunk': BundleChunk,
  'bundle:end': BundleEnd,
  'bundle:failed': BundleFailed,
} as const satisfies Record<keyof AgentToHubEvents, z.ZodType>;

/**
 * HTTP polling fallback, for sites whose proxies break websockets. The agent authenticates with
 * `Authorization: Basic base64(agentId:secret)` and describes itself in these headers.
 */
export const AGENT_HTTP = {
  /** `GET` → AgentPollResponse: the desired state and pending commands (what a hello returns). */
  state: '/api/v1/agent/state',
  /** `POST` a StatusReport → OkAck. */
  status: '/api/v1/agent/status',
  /** `POST` a CommandProgress → OkAck. */
  progress: '/api/v1/agent/progress',
  headers: {
    agentVersion: 'x-flotilla-agent-version',
    kind: 'x-flotilla-agent-kind',
    /** The agent's poll period in seconds; the hub keeps its session open for three periods. */
    pollInterval: 'x-flotilla-poll-interval',
  },
} as const;

export const AgentPollResponse = HelloAck.extend({ pollIntervalSeconds: z.number().int().positive() });
export type AgentPollResponse = z.infer<typeof AgentPollResponse>;

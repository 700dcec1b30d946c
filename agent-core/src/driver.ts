import type { AgentKind, DesiredComponent, Drift, Health } from '@flotilla/protocol';
import type { Logger } from './logger.js';
import type { LogSource } from './log-source.js';
import type { ComponentMetrics } from './usage.js';

/**
 * What a runtime (docker compose, helm…) must provide. agent-core owns the connection, the local
 * state, ordering by stage, health gates, retries and reporting; a driver only turns one component
 * spec into running workloads, removes them, and tells how they are doing.
 *
 * Contract:
 * - `apply` is idempotent: applying the spec that already runs changes nothing. It resolves once the
 *   runtime accepted the change (containers created/started, release installed); readiness is
 *   observed afterwards through `health`. It rejects with a `DriverError` whose message is the
 *   runtime's own error text (e.g. docker's stderr), and should leave what ran before running when
 *   it can (compose fails on pull/create before touching old containers).
 * - `remove` is idempotent: removing something absent succeeds.
 * - `health` never rejects for one bad component: it returns `unknown` (or `failed`) with a message.
 *   It may reject when the runtime itself is unreachable; the agent then reports `unknown`.
 * - Calls for one installation are never concurrent with each other, except `health`, `metrics`,
 *   `license`, and the read-only `supportFiles` and `logs` of a support bundle, which may run while
 *   an `apply` is in flight (a bundle is wanted most when an apply hangs).
 */
export interface Driver {
  readonly kind: AgentKind;
  /** One-time preparation before the agent connects (detect CLIs, create folders). Rejecting aborts the start. */
  init?(ctx: DriverContext): Promise<void>;
  /** Runtime versions for the hello's host facts, e.g. "docker 28.2.2 / compose v2.36.0". */
  runtimeInfo(): Promise<string>;
  apply(component: DesiredComponent, ctx: ApplyContext): Promise<void>;
  remove(component: DesiredComponent, ctx: DriverContext): Promise<void>;
  /** The health of each given component, keyed by component name (missing names count as `unknown`). */
  health(components: readonly DesiredComponent[], ctx: DriverContext): Promise<Map<string, HealthSample>>;
  /** Releases resources at shutdown. */
  close?(): Promise<void>;

  // Optional command hooks: a command whose hook the driver lacks is answered `unsupported`.
  /** Restarts a component's workloads without changing its spec. */
  restart?(component: DesiredComponent, ctx: DriverContext): Promise<void>;
  /** Returns the runtime to the component's previous runtime revision (e.g. `helm rollback`). */
  rollback?(component: DesiredComponent, ctx: DriverContext): Promise<void>;
  /**
   * CPU, memory and restarts of the given components' workloads (summed per component). Resolves
   * with `unavailable` set when the runtime cannot tell (e.g. a cluster without a metrics API);
   * components it has no figures for are left out. Without this hook, only host metrics are sent.
   */
  metrics?(components: readonly DesiredComponent[], ctx: DriverContext): Promise<ComponentMetrics>;
  /** The last `lines` log lines of a component's workloads. */
  logs?(component: DesiredComponent, lines: number, ctx: DriverContext): Promise<string[]>;
  /**
   * Follows a component's logs from the last `tail` lines on (compose: `compose logs -f`). Resolves
   * once the follow started; the agent paces, caps and stops it. Rejects (DriverError) when the
   * component cannot be followed. Without this hook, live tails are refused clearly.
   */
  followLogs?(component: DesiredComponent, tail: number, ctx: DriverContext): Promise<LogSource>;
  /**
   * Runtime facts for a support bundle (compose: `compose ps` and `docker inspect` of each
   * component's containers; helm: `helm status` and the release's workloads). Files are redacted by
   * the agent afterwards; a step that fails is reported in its file, not thrown.
   */
  supportFiles?(components: readonly DesiredComponent[], ctx: DriverContext): Promise<SupportFile[]>;
  /**
   * Starts the agent's replacement running `image` (compose: a one-shot updater container; helm:
   * patch the agent's own Deployment). Resolves once the replacement was started; the agent then
   * reports the command and exits or waits to be terminated.
   */
  selfUpdate?(image: string, ctx: DriverContext): Promise<void>;
  /**
   * Hands the customer's signed license to the application (compose: a file the services can mount,
   * helm: a Secret), replacing the previous one; `null` removes it (revoked). Idempotent.
   */
  license?(license: string | null, ctx: DriverContext): Promise<void>;
}

/** A runtime fact file of a support bundle: `name` is its path under `runtime/`; `json` is written as JSON. */
export type SupportFile = { name: string; description: string } & ({ text: string } | { json: unknown });

export interface DriverContext {
  /** The installation the components belong to ('' before the hub has sent any desired state). */
  installationId: string;
  logger: Logger;
  /** Aborted when the agent shuts down or a newer desired state supersedes this one. */
  signal: AbortSignal;
}

export interface ApplyContext extends DriverContext {
  /** The desired revision being applied. */
  revision: number;
  /** The spec of this component that was applied before, if any (lets a driver skip or diff). */
  previous: DesiredComponent | undefined;
  /**
   * A `redeploy` command: apply even when the spec equals `previous` (the runtime drifted, or the
   * workloads should be recreated). A driver that skips unchanged specs must not skip this one.
   */
  force?: boolean;
}

export interface HealthSample {
  health: Health;
  /** Human-readable detail: what is not running, the failing healthcheck, the CLI's error. */
  message?: string;
  /** Set when the runtime's revision is not the one this agent applied. */
  drift?: Drift;
}

/** An error from the runtime; `message` is what the vendor/customer should read (e.g. docker's stderr). */
export class DriverError extends Error {
  override name = 'DriverError';

  constructor(
    message: string,
    /** Extra facts for logs (command line, exit code); never sent to the hub. */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

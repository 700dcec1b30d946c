import { z } from 'zod';
import {
  Command,
  DesiredState,
  ErrorAck,
  HelloAck,
  LicenseDelivery,
  OkAck,
  PROTOCOL_VERSION,
  summarizeIssues,
  type AgentHello,
  type AgentPollResponse,
  type CommandAck,
  type CommandProgress,
  type ComponentStatus,
  type DesiredComponent,
  type HostFacts,
  type StatusReport,
  type UsageSample,
} from '@flotilla/protocol';
import type { BackoffOptions } from './backoff.js';
import { DEFAULT_METRICS_INTERVAL_MS, type AgentConfig } from './config.js';
import { HubConnection, type AgentSocket } from './connection.js';
import { takePoll } from './poll-handler.js';
import { PollingFallback } from './polling-fallback.js';
import { Converger } from './converger.js';
import { CommandJournal } from './command-journal.js';
import { CommandRunner } from './command-runner.js';
import { Serial } from './serial.js';
import type { Driver, DriverContext, HealthSample } from './driver.js';
import { collectHostFacts } from './host.js';
import type { Logger } from './logger.js';
import { StateStore, type LocalState } from './state-store.js';
import { LicenseKeeper } from './license-keeper.js';
import { LogFollows } from './log-follows.js';
import { SupportBundles } from './support-bundle/support-bundles.js';
import { nextStatuses, type Observation } from './status.js';
import { collectUsage, HostSampler } from './usage.js';
import { agentCoreVersion } from './version.js';

export interface AgentOptions {
  /** Reported in the handshake; defaults to agent-core's version. */
  agentVersion?: string;
  /** Reconnect backoff (default 1 s → 60 s, full jitter). */
  backoff?: BackoffOptions;
  /** Poll period while waiting for a stage to become healthy (default 2 s). */
  healthPollMs?: number;
  /** A component `failed` this long while waiting for its stage fails the apply early (default 30 s). */
  failFastMs?: number;
  /** Timeout of each acknowledged emit (default 15 s). */
  ackTimeoutMs?: number;
  /** How long `stop()` waits for an in-flight driver call (default 7 s). */
  stopTimeoutMs?: number;
}

export interface Agent {
  /** Loads the state, prepares the driver, samples health once, then connects. */
  start(): Promise<void>;
  /** Stops timers, lets (or gives up on) the in-flight apply, disconnects. Never rejects. */
  stop(): Promise<void>;
  /** The local state as currently persisted. */
  readonly state: LocalState;
  /** The component statuses the agent would report now. */
  readonly statuses: readonly ComponentStatus[];
  /** True while connected to the hub (websocket, or HTTP polls that reach it). */
  readonly connected: boolean;
  /** How the agent talks to the hub now: `offline` until a websocket session or the polling fallback. */
  readonly link: 'websocket' | 'polling' | 'offline';
  /** Resolves when no desired state is queued or being applied and no command is queued or running. */
  idle(): Promise<void>;
  /**
   * Resolves when the agent wants its process to end on its own (a self-update started its
   * replacement); the caller then stops it and exits.
   */
  readonly exitRequested: Promise<string>;
}

const HelloResponse = z.union([ErrorAck, HelloAck]);
const ReportResponse = z.union([ErrorAck, OkAck]);

/** A component applied (or found at start) whose health has not been checked yet. */
const AWAITING_FIRST_CHECK: HealthSample = { health: 'progressing', message: 'waiting for the first health check' };

/** Builds an agent from a driver and a configuration; nothing runs until `start()`. */
export function createAgent(driver: Driver, config: AgentConfig, logger: Logger, options: AgentOptions = {}): Agent {
  return new AgentRuntime(driver, config, logger, options);
}

class AgentRuntime implements Agent {
  private readonly store: StateStore;
  private converger: Converger | undefined;
  private runner: CommandRunner | undefined;
  private readonly journal: CommandJournal;
  private readonly licenses: LicenseKeeper;
  /** Live log tails the hub asked for (ended with their socket). */
  private readonly follows: LogFollows;
  /** Support bundles the hub asked for (streamed on the socket that asked). */
  private readonly bundles: SupportBundles;
  /** Serializes driver calls of applies and commands (Driver contract: no concurrent calls). */
  private readonly serial = new Serial();
  private requestExit: (reason: string) => void = () => undefined;
  readonly exitRequested = new Promise<string>((resolve) => {
    this.requestExit = resolve;
  });
  private readonly connection: HubConnection;
  /** HTTP polling fallback, for proxies that break websockets. */
  private readonly polling: PollingFallback;
  private readonly lifetime = new AbortController();
  private host: HostFacts | undefined;
  private current: ComponentStatus[] = [];
  private samples = new Map<string, HealthSample>();
  /** The applied revision the statuses were last computed for (a new one is reported at once). */
  private revisionShown = -1;
  /** Bumped when a component is being changed; samples started before are discarded. */
  private readonly generations = new Map<string, number>();
  private timers: NodeJS.Timeout[] = [];
  private sampling = false;
  private measuring = false;
  /** The latest usage sample not yet sent; the next status report carries it. */
  private pendingUsage: UsageSample | undefined;
  private readonly hostSampler: HostSampler;
  private reporting: { dirty: boolean } | undefined;
  /** Highest desired revision received on the current connection (guards against a stale hello ack). */
  private sessionRevision = -1;
  /** The socket whose hello was acknowledged; status reports go only there. */
  private session: AgentSocket | undefined;
  private started = false;
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly driver: Driver,
    private readonly config: AgentConfig,
    private readonly logger: Logger,
    private readonly options: AgentOptions,
  ) {
    this.store = new StateStore(config.stateDir, logger);
    this.hostSampler = new HostSampler(config.stateDir);
    this.journal = new CommandJournal(config.stateDir, logger);
    this.follows = new LogFollows({
      driver,
      logger,
      components: () => this.converger?.state.components ?? [],
      context: () => this.driverContext(this.converger?.state.installationId ?? ''),
      ackTimeoutMs: options.ackTimeoutMs ?? 15_000,
    });
    this.bundles = new SupportBundles({
      logger,
      ackTimeoutMs: options.ackTimeoutMs ?? 15_000,
      sources: () => {
        const converger = this.converger;
        if (converger === undefined) return null;
        return {
          driver,
          state: converger.state,
          statuses: this.current,
          host: this.host,
          agentVersion: options.agentVersion ?? agentCoreVersion(),
          stateDir: config.stateDir,
          context: this.driverContext(converger.state.installationId),
        };
      },
    });
    this.licenses = new LicenseKeeper(driver, () => this.driverContext(this.converger?.state.installationId ?? ''), logger);
    this.connection = new HubConnection({
      hubUrl: config.hubUrl,
      auth: {
        agentId: config.agentId,
        secret: config.secret,
        agentVersion: options.agentVersion ?? agentCoreVersion(),
        protocolVersion: PROTOCOL_VERSION,
        kind: driver.kind,
      },
      logger,
      ...(options.backoff === undefined ? {} : { backoff: options.backoff }),
      setup: (socket) => this.setupSocket(socket),
      onConnect: (socket) => this.hello(socket),
    });
    this.polling = new PollingFallback({
      config,
      kind: driver.kind,
      agentVersion: options.agentVersion ?? agentCoreVersion(),
      timeoutMs: options.ackTimeoutMs ?? 15_000,
      logger,
      socketUp: () => this.sessionSocket() !== undefined,
      onPoll: (response, first) => this.polled(response, first),
    });
  }

  get state(): LocalState {
    return this.requireConverger().state;
  }

  get statuses(): readonly ComponentStatus[] {
    return this.current;
  }

  get connected(): boolean {
    return this.connection.connected !== undefined || this.polling.healthy;
  }

  get link(): Agent['link'] {
    if (this.sessionSocket() !== undefined) return 'websocket';
    return this.polling.active ? 'polling' : 'offline';
  }

  async idle(): Promise<void> {
    await this.converger?.idle();
    await this.runner?.idle();
    await this.converger?.idle();
  }

  async start(): Promise<void> {
    if (this.started) throw new Error('agent already started');
    this.started = true;
    const state = await this.store.load();
    await this.journal.load();
    await this.driver.init?.(this.driverContext(state.installationId));
    this.host = await collectHostFacts(this.driver, this.logger);
    this.converger = new Converger({
      driver: this.driver,
      store: this.store,
      logger: this.logger,
      state,
      healthTimeoutMs: this.config.healthTimeoutMs,
      healthPollMs: this.options.healthPollMs ?? 2000,
      failFastMs: this.options.failFastMs ?? 30_000,
      sampleHealth: (components, ctx) => this.sample(components, ctx),
      onChange: () => this.refreshStatuses(),
      onComponentChanging: (name) => this.invalidateSample(name),
      serial: this.serial,
    });
    this.runner = new CommandRunner({
      driver: this.driver,
      journal: this.journal,
      converger: this.converger,
      serial: this.serial,
      logger: this.logger,
      transport: {
        progress: (p) => this.sendProgress(p),
        logs: (chunk) => this.sendAcked('logs:chunk', (socket) => socket.emitWithAck('logs:chunk', chunk)),
      },
      context: () => this.driverContext(this.requireConverger().state.installationId),
      statuses: () => this.current,
      onComponentChanging: (name) => this.invalidateSample(name),
      onReplaced: () => this.requestExit('replaced by a self-update'),
    });
    this.logger.info(
      { appliedRevision: state.appliedRevision, components: state.components.length, stateDir: this.config.stateDir, runtime: this.host.runtime },
      'agent starting',
    );
    await this.sampleAll();
    this.connection.start();
    this.polling.start();
    this.timers.push(setInterval(() => void this.sampleAll(), this.config.healthIntervalMs));
    this.timers.push(setInterval(() => void this.report(), this.config.statusIntervalMs));
    const metricsIntervalMs = this.config.metricsIntervalMs ?? DEFAULT_METRICS_INTERVAL_MS;
    if (metricsIntervalMs > 0) this.timers.push(setInterval(() => void this.measure(), metricsIntervalMs));
  }

  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    this.logger.info('agent stopping');
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.lifetime.abort();
    this.follows.stopAll('the agent is stopping');
    try {
      const timeoutMs = this.options.stopTimeoutMs ?? 7000;
      await Promise.all([this.converger?.stop(timeoutMs), this.runner?.stop(timeoutMs)]);
      await this.store.flush().catch(() => undefined);
      this.polling.stop();
      this.connection.stop();
      await this.driver.close?.();
    } catch (err) {
      this.logger.error({ err }, 'error while stopping');
    }
    this.logger.info('agent stopped');
  }

  private requireRunner(): CommandRunner {
    if (this.runner === undefined) throw new Error('agent not started');
    return this.runner;
  }

  private requireConverger(): Converger {
    if (this.converger === undefined) throw new Error('agent not started');
    return this.converger;
  }

  private driverContext(installationId: string): DriverContext {
    return { installationId, logger: this.logger, signal: this.lifetime.signal };
  }

  // ---- hub events -------------------------------------------------------------------------------

  private setupSocket(socket: AgentSocket): void {
    this.follows.attach(socket);
    this.bundles.attach(socket);
    socket.on('license:current', (payload: unknown, ack: unknown) => {
      const parsed = LicenseDelivery.safeParse(payload);
      if (!parsed.success) this.logger.warn({ event: 'license:current', issues: summarizeIssues(parsed.error.issues) }, 'ignoring invalid payload from hub');
      else void this.licenses.take(parsed.data.license);
      if (typeof ack === 'function') ack({ accepted: parsed.success });
    });
    socket.on('state:desired', (payload: unknown, ack: unknown) => {
      const reply = (response: CommandAck) => {
        if (typeof ack === 'function') ack(response);
      };
      const parsed = DesiredState.safeParse(payload);
      if (!parsed.success) {
        this.logger.warn({ event: 'state:desired', issues: summarizeIssues(parsed.error.issues) }, 'ignoring invalid payload from hub');
        reply({ accepted: false, reason: 'invalid payload' });
        return;
      }
      this.acceptDesired(parsed.data, 'push');
      reply({ accepted: true });
    });
    socket.on('command', (payload: unknown, ack: unknown) => {
      const reply = (response: CommandAck) => {
        if (typeof ack === 'function') ack(response);
      };
      const parsed = Command.safeParse(payload);
      if (!parsed.success) {
        this.logger.warn({ event: 'command', issues: summarizeIssues(parsed.error.issues) }, 'ignoring invalid payload from hub');
        reply({ accepted: false, reason: 'invalid payload' });
        return;
      }
      this.takeCommand(parsed.data).then(reply, () => reply({ accepted: false, reason: 'internal error' }));
    });
  }

  private async takeCommand(command: Command): Promise<CommandAck> {
    try {
      return await this.requireRunner().receive(command);
    } catch (err) {
      // The journal could not be written: refusing is safer than running without dedupe.
      this.logger.error({ err, commandId: command.id }, 'could not take a command');
      return { accepted: false, reason: `the agent could not record the command: ${err instanceof Error ? err.message : String(err)}` };
    }
  }

  /** The socket of the established session (hello acknowledged), if any. */
  private sessionSocket(): AgentSocket | undefined {
    const socket = this.connection.connected;
    return socket !== undefined && socket === this.session ? socket : undefined;
  }

  /** Command progress over the websocket session, else over HTTP while polling. */
  private sendProgress(progress: CommandProgress): Promise<boolean> {
    if (this.sessionSocket() === undefined && this.polling.active) return this.polling.progress(progress);
    return this.sendAcked('command:progress', (socket) => socket.emitWithAck('command:progress', progress));
  }

  /** One poll's answer: the first one of a polling session stands for a hello. */
  private async polled(response: AgentPollResponse, first: boolean): Promise<void> {
    if (first) this.sessionRevision = -1;
    if (response.license !== undefined) void this.licenses.take(response.license);
    await takePoll(response, {
      acceptDesired: (desired) => this.acceptDesired(desired, 'poll'),
      takeCommand: (command) => this.takeCommand(command),
      known: (id) => this.journal.get(id) !== undefined,
      progress: (progress) => this.sendProgress(progress),
      logger: this.logger,
    });
    if (!first) return;
    this.logger.info({ appliedRevision: this.state.appliedRevision, desiredRevision: response.desired?.revision ?? null }, 'HTTP polling session with the hub');
    void this.report();
    void this.requireRunner().resendUnreported();
  }

  /** Emits an acknowledged event on the established session; true once the hub stored it. */
  private async sendAcked(event: string, emit: (socket: ReturnType<AgentSocket['timeout']>) => Promise<unknown>): Promise<boolean> {
    const socket = this.sessionSocket();
    if (socket === undefined) return false;
    try {
      const raw = await emit(socket.timeout(this.options.ackTimeoutMs ?? 15_000));
      const parsed = ReportResponse.safeParse(raw);
      if (!parsed.success) return false;
      if ('error' in parsed.data) {
        this.logger.warn({ event, code: parsed.data.error.code, message: parsed.data.error.message }, 'hub refused an event');
        // Only a hub-side failure is worth sending again; a refusal would be refused again.
        return parsed.data.error.code !== 'INTERNAL';
      }
      return true;
    } catch (err) {
      this.logger.warn({ event, err: err instanceof Error ? err.message : String(err) }, 'event not acknowledged');
      return false;
    }
  }

  private acceptDesired(desired: DesiredState, source: 'hello' | 'push' | 'poll'): void {
    if (desired.revision < this.sessionRevision) {
      this.logger.info({ revision: desired.revision, newest: this.sessionRevision, source }, 'ignoring an older desired state');
      return;
    }
    this.sessionRevision = desired.revision;
    this.logger.debug({ revision: desired.revision, source }, 'desired state received');
    this.requireConverger().submit(desired);
  }

  private async hello(socket: AgentSocket): Promise<boolean> {
    this.sessionRevision = -1;
    this.session = undefined;
    const payload: AgentHello = {
      host: this.host ?? { hostname: 'unknown', os: 'unknown', arch: 'unknown' },
      appliedRevision: this.state.appliedRevision,
      components: this.current,
    };
    const raw: unknown = await socket.timeout(this.options.ackTimeoutMs ?? 15_000).emitWithAck('agent:hello', payload);
    const parsed = HelloResponse.safeParse(raw);
    if (!parsed.success) {
      this.logger.warn({ issues: summarizeIssues(parsed.error.issues) }, 'invalid hello ack from hub');
      return false;
    }
    if ('error' in parsed.data) {
      this.logger.warn({ code: parsed.data.error.code, message: parsed.data.error.message }, 'hub refused the hello');
      return false;
    }
    this.session = socket;
    this.polling.check(); // stops polling at once
    const { desired, commands, license } = parsed.data;
    this.logger.info({ appliedRevision: payload.appliedRevision, desiredRevision: desired?.revision ?? null }, 'hello acknowledged');
    if (license !== undefined) void this.licenses.take(license);
    if (desired !== null) this.acceptDesired(desired, 'hello');
    const runner = this.requireRunner();
    void Promise.all(commands.map((c) => this.takeCommand(c))).then(() => runner.resendUnreported());
    return true;
  }

  // ---- health and status ------------------------------------------------------------------------

  private invalidateSample(name: string): void {
    this.generations.set(name, (this.generations.get(name) ?? 0) + 1);
    this.samples.set(name, AWAITING_FIRST_CHECK);
  }

  private async sample(components: readonly DesiredComponent[], ctx: DriverContext): Promise<Map<string, HealthSample>> {
    const started = new Map(components.map((c) => [c.name, this.generations.get(c.name) ?? 0]));
    let samples: Map<string, HealthSample>;
    try {
      samples = components.length === 0 ? new Map() : await this.driver.health(components, ctx);
    } catch (err) {
      const message = `health check failed: ${err instanceof Error ? err.message : String(err)}`;
      samples = new Map(components.map((c) => [c.name, { health: 'unknown', message }]));
    }
    for (const c of components) {
      if ((this.generations.get(c.name) ?? 0) !== started.get(c.name)) continue; // stale: taken during a change
      this.samples.set(c.name, samples.get(c.name) ?? { health: 'unknown' });
    }
    this.refreshStatuses();
    return samples;
  }

  private async sampleAll(): Promise<void> {
    if (this.sampling || this.converger === undefined) return;
    this.sampling = true;
    try {
      const state = this.converger.state;
      await this.sample(state.components, this.driverContext(state.installationId));
    } finally {
      this.sampling = false;
    }
  }

  /** Takes a usage sample and reports it (a sample still running when the next is due is not doubled). */
  private async measure(): Promise<void> {
    if (this.measuring || this.converger === undefined || this.stopping !== undefined) return;
    this.measuring = true;
    try {
      const state = this.converger.state;
      this.pendingUsage = await collectUsage(this.hostSampler, this.driver, state.components, this.driverContext(state.installationId));
      void this.report();
    } catch (err) {
      this.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'cannot sample resource usage');
    } finally {
      this.measuring = false;
    }
  }

  /** Recomputes the statuses from state, overrides and samples; reports at once when they changed. */
  private refreshStatuses(): void {
    if (this.converger === undefined) return;
    const { components } = this.converger.state;
    const overrides = this.converger.overrides;
    const names = new Set([...components.map((c) => c.name), ...overrides.keys()]);
    for (const name of this.samples.keys()) if (!names.has(name)) this.samples.delete(name);
    const observations = [...names].map((name): Observation => {
      const version = components.find((c) => c.name === name)?.version ?? null;
      // No sample yet: a component just applied (its sample was pruned while the state did not list it
      // yet) or an agent just started. Either way its first check is coming; 'unknown' would flash in
      // the timeline between 'progressing' and 'healthy'.
      const shown = overrides.get(name) ?? this.samples.get(name) ?? AWAITING_FIRST_CHECK;
      return { name, version, health: shown.health, ...(shown.message === undefined ? {} : { message: shown.message }), ...(shown.drift === undefined ? {} : { drift: shown.drift }) };
    });
    const { statuses, changed } = nextStatuses(this.current, observations, new Date().toISOString());
    this.current = statuses;
    const revision = this.converger.state.appliedRevision;
    if (changed || revision !== this.revisionShown) {
      this.revisionShown = revision;
      void this.report();
    }
  }

  /** Sends a status report when connected; reports requested while one is in flight are merged. */
  private async report(): Promise<void> {
    if (this.reporting !== undefined) {
      this.reporting.dirty = true;
      return;
    }
    this.reporting = { dirty: false };
    try {
      do {
        this.reporting.dirty = false;
        await this.sendReport();
      } while (this.reporting.dirty && this.stopping === undefined);
    } finally {
      this.reporting = undefined;
    }
  }

  private async sendReport(): Promise<void> {
    if (this.converger === undefined) return;
    // A usage sample goes out once: lost with a failed report, like any other point of a time series.
    const usage = this.pendingUsage;
    this.pendingUsage = undefined;
    const payload: StatusReport = { revision: this.converger.state.appliedRevision, components: this.current, ...(usage === undefined ? {} : { usage }) };
    const socket = this.sessionSocket();
    if (socket === undefined) {
      if (this.polling.active) await this.polling.report(payload);
      return;
    }
    try {
      const raw: unknown = await socket.timeout(this.options.ackTimeoutMs ?? 15_000).emitWithAck('status:report', payload);
      const parsed = ReportResponse.safeParse(raw);
      if (!parsed.success) this.logger.warn({ issues: summarizeIssues(parsed.error.issues) }, 'invalid status ack from hub');
      else if ('error' in parsed.data) this.logger.warn({ code: parsed.data.error.code, message: parsed.data.error.message }, 'hub refused the status report');
    } catch (err) {
      this.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'status report not acknowledged');
    }
  }
}

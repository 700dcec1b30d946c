import type { AgentAuth, AgentHello, AgentKind, Command, DesiredState, CommandProgress, HelloAck, LogsChunk, OkAck, StatusReport } from '@flotilla/protocol';
import { AppError } from '../../errors.js';
import type { RateLimiterFactory } from '../../infra/index.js';
import { spend } from '../shared/limits.js';
import type { Logger } from '../../logger.js';
import type { Notifier } from '../shared/notifier.js';
import { matchesHash } from '../shared/tokens.js';
import { overallHealth, runningVersionOf } from '../installations/health.js';
import { toStatus, type InstallationRepository, type InstallationRow, type ObservedState, type StatusRow } from '../installations/installation-repository.js';
import { Batcher, stormBatching, type BatchFlushObserver } from '../shared/batcher.js';
import type { DesiredStateRepository } from '../installations/desired-state-repository.js';
import type { MetricsRepository, ReceivedUsage } from '../installations/metrics-repository.js';
import type { ShippedAgentImages } from '../commands/agent-update.js';
import { POLLING_NODE, type AgentIdentity, type AgentRepository, type OpenedSession } from './agent-repository.js';

const OK: OkAck = { ok: true };

/** What the agent's connection needs of commands (the CommandService). */
export interface AgentCommands {
  /** Completes self-updates waiting for this version; returns the commands the agent must still run. */
  agentConnected(identity: AgentIdentity, agentVersion: string): Promise<Command[]>;
  /** `recorded` runs once the command is known to be the agent's, before its status moves. */
  progress(identity: AgentIdentity, progress: CommandProgress, recorded?: () => Promise<void>): Promise<void>;
  logs(identity: AgentIdentity, chunk: LogsChunk): Promise<void>;
}

/** What the agent's connection needs of licenses (the LicenseService): the current license per customer. */
export interface AgentLicenses {
  currentFor(customerIds: readonly string[]): Promise<Map<string, string>>;
}

/** Everything that happens on an agent's connection, from handshake to disconnect. */
export class AgentSessionService {
  private readonly byAgentAndIp;
  private readonly byIp;

  constructor(
    private readonly agents: AgentRepository,
    private readonly installations: InstallationRepository,
    private readonly desired: DesiredStateRepository,
    private readonly notifier: Notifier,
    rateLimiters: RateLimiterFactory,
    private readonly log: Logger,
    private readonly commands: AgentCommands,
    private readonly shipped: ShippedAgentImages,
    private readonly licenses: AgentLicenses,
    private readonly metrics: MetricsRepository,
    /** The agent's copy of a desired state (secrets opened): only agents get it, here and on push. */
    private readonly forAgent: (state: DesiredState) => DesiredState,
    /** Told of each flush of the connect path's batches (metrics: which one queues in a storm). */
    private readonly onFlush?: BatchFlushObserver,
  ) {
    // Every handshake is counted before its secret is checked and refunded when it was right, so
    // only failures accumulate: healthy fleets reconnect freely, guessing is throttled. Keyed by agent
    // and address, a stranger's guesses elsewhere cannot lock the real agent out.
    this.byAgentAndIp = rateLimiters({ name: 'agent-auth-id-ip', points: 10, durationSeconds: 60, blockSeconds: 300 });
    // Spraying many agent ids from one address. Agents already seen at that address (a site's NAT)
    // are not counted here, so a broken or hostile neighbour cannot lock them out.
    this.byIp = rateLimiters({ name: 'agent-auth-ip', points: 50, durationSeconds: 60, blockSeconds: 300 });
  }

  private readonly listeners: ((installationIds: string[]) => Promise<void>)[] = [];

  /** Status reports of all agents are written in batches (one transaction for many agents under load). */
  private readonly statusWriter = new Batcher<{ vendorId: string; id: string; observed: ObservedState }, { row: StatusRow; progressed: boolean } | undefined>(
    async (items) => {
      const saved = await this.installations.saveObservedMany(items);
      return items.map((i) => saved.get(i.id));
    },
    stormBatching('status-reports', () => this.onFlush, { maxBatch: 500, maxInFlight: 2 }),
  );

  /** Usage samples of all agents, one statement per batch (10 000 agents every 30 s: ~330 rows a second). */
  private readonly usageWriter = new Batcher<ReceivedUsage, void>(
    async (items) => {
      await this.metrics.insertRaw(items);
      return items.map(() => undefined);
    },
    stormBatching('usage-samples', () => this.onFlush, { maxBatch: 1000 }),
  );

  // Connects, disconnects and hellos of many agents share statements too (storms are the norm at
  // restarts); under load each starts at most every STORM_LINGER_MS, so batches grow with the storm.
  private readonly sessionsOpened = new Batcher((items: Parameters<AgentRepository['openSessions']>[0][number][]) => this.agents.openSessions(items), stormBatching('sessions-opened', () => this.onFlush));
  private readonly sessionsClosed = new Batcher(async (items: Parameters<AgentRepository['closeSessions']>[0][number][]) => {
    await this.agents.closeSessions(items);
    return items.map(() => undefined);
  }, stormBatching('sessions-closed', () => this.onFlush));
  private readonly authRows = new Batcher(async (agentIds: string[]) => {
    const rows = await this.agents.findForAuthMany(agentIds);
    return agentIds.map((id) => rows.get(id));
  }, stormBatching('agent-credentials', () => this.onFlush));
  private readonly desiredOf = new Batcher(async (keys: { vendorId: string; installationId: string }[]) => {
    const states = await this.desired.currentMany(keys);
    return keys.map((k) => {
      const state = states.get(k.installationId);
      if (!state) return null;
      try {
        return this.forAgent(state);
      } catch (err) {
        // A secret sealed under another SECRETS_KEY: this agent keeps what it runs; the others are served.
        this.log.error({ err, installationId: k.installationId }, 'cannot open the secrets of a desired state');
        return null;
      }
    });
  }, stormBatching('desired-states', () => this.onFlush));
  /** The customer's license, for many hellos in one query (a reconnect storm is mostly a few customers). */
  private readonly licenseOf = new Batcher(async (customerIds: string[]) => {
    const current = await this.licenses.currentFor(customerIds);
    return customerIds.map((id) => current.get(id) ?? null);
  }, stormBatching('licenses', () => this.onFlush));
  private readonly hellos = new Batcher(async (items: Parameters<AgentRepository['recordHellos']>[0][number][]) => {
    await this.agents.recordHellos(items);
    return items.map(() => undefined);
  }, stormBatching('hellos', () => this.onFlush));

  /** What was last stored per installation for agents connected here (see observe). */
  private readonly lastStored = new Map<string, string>();

  /** Changes are handed to listeners in batches too (a rollout looks once for a thousand agents). */
  private readonly changes = new Batcher<string, void>(
    async (ids) => {
      const unique = [...new Set(ids)];
      await Promise.all(this.listeners.map((fn) => fn(unique).catch((err: unknown) => this.log.error({ err, installations: unique.length }, 'installation change listener failed'))));
      return ids.map(() => undefined);
    },
    // Rollouts advance at most every 200 ms on agent events anyway (RolloutEngine.trigger).
    { maxBatch: 2000, lingerMs: 100 },
  );

  /** Called after stored changes of installations' agent state (connects, disconnects, progress in reports). */
  onInstallationChanged(fn: (installationIds: string[]) => Promise<void>): void {
    this.listeners.push(fn);
  }

  private changed(installationId: string): void {
    void this.changes.submit(installationId);
  }

  /**
   * Checks an agent's id and secret (and kind, when it says which agent it is). The attempt is
   * counted before the secret is compared (see the limiters above): of 200 concurrent wrong secrets
   * at most the limit are checked.
   */
  async authenticate(auth: Pick<AgentAuth, 'agentId' | 'secret'> & { kind?: AgentKind }, ip: string): Promise<AgentIdentity> {
    const tooMany = 'Too many failed agent handshakes';
    const pairKey = `${auth.agentId}|${ip}`;
    await spend(this.byAgentAndIp, pairKey, tooMany);
    const row = await this.authRows.submit(auth.agentId);
    const counted = row?.lastIp !== ip;
    if (counted) {
      try {
        await spend(this.byIp, ip, tooMany);
      } catch (err) {
        // Refused before any check: the agent's own count keeps only what was compared.
        await this.byAgentAndIp.refund(pairKey);
        throw err;
      }
    }
    if (!row || !matchesHash(auth.secret, row.secretHash)) throw new AppError('UNAUTHORIZED', 'Unknown agent or wrong secret');
    await Promise.all([this.byAgentAndIp.refund(pairKey), counted ? this.byIp.refund(ip) : undefined]);
    if (auth.kind !== undefined && row.agentKind !== auth.kind) throw new AppError('UNAUTHORIZED', `This installation expects an agent-${row.agentKind}, not agent-${auth.kind}`);
    const { secretHash: _secretHash, lastIp: _lastIp, ...identity } = row;
    return identity;
  }

  async connected(identity: AgentIdentity, hubNode: string, ip: string, agentVersion: string): Promise<OpenedSession> {
    const opened = await this.sessionsOpened.submit({ identity, hubNode, ip, agentVersion, message: `agent ${agentVersion} via ${hubNode}` });
    this.presence(identity, true, hubNode);
    this.changed(identity.installationId);
    return opened;
  }

  async disconnected(identity: AgentIdentity, sessionId: number, hubNode: string, reason: string): Promise<void> {
    this.lastStored.delete(identity.installationId);
    await this.sessionsClosed.submit({ sessionId, vendorId: identity.vendorId, installationId: identity.installationId, message: reason });
    this.presence(identity, false, hubNode);
    this.changed(identity.installationId);
  }

  async hello(identity: AgentIdentity, agentVersion: string, hello: AgentHello): Promise<HelloAck> {
    // Independent writes and reads, in parallel: a reconnect storm waits on round trips, not CPU.
    const [, , desired, commands, license] = await Promise.all([
      this.hellos.submit({ agentId: identity.agentId, agentVersion, host: hello.host }),
      // The status it shows carries this hello's host and version: their write runs beside it.
      this.observe(identity, hello.appliedRevision, hello.components, true, { agent_version: agentVersion, agent_host: hello.host }),
      this.desiredOf.submit({ vendorId: identity.vendorId, installationId: identity.installationId }),
      this.commands.agentConnected(identity, agentVersion),
      this.licenseOf.submit(identity.customerId),
    ]);
    return { desired, commands, license };
  }

  /**
   * An HTTP poll (the fallback for sites whose proxies break websockets): keeps the agent's polling
   * session open for three poll periods and returns what a hello would.
   */
  async poll(identity: AgentIdentity, meta: { agentVersion: string; ip: string; pollIntervalSeconds: number }): Promise<HelloAck> {
    const { opened } = await this.agents.touchPollSession(identity, meta.pollIntervalSeconds * 3, meta.ip, meta.agentVersion);
    if (opened) {
      this.presence(identity, true, POLLING_NODE);
      this.changed(identity.installationId);
    }
    const [desired, commands, license] = await Promise.all([
      this.desiredOf.submit({ vendorId: identity.vendorId, installationId: identity.installationId }),
      this.commands.agentConnected(identity, meta.agentVersion),
      this.licenseOf.submit(identity.customerId),
    ]);
    return { desired, commands, license };
  }

  // An agent goes offline in one of three ways: its socket disconnects (`disconnected`, one at a
  // time), the hub process holding it stops, or it stops polling. The last two close many sessions
  // in one statement and show the installations' new statuses in one read.

  /** Sessions held by hub processes that stopped (crashed, or this one shutting down) are closed, and their installations shown offline. */
  async closeSessionsOfDeadNodes(nodeIds: string[], reason = 'hub process stopped responding'): Promise<void> {
    await this.showStatusOf(await this.agents.closeSessionsOfNodes(nodeIds, reason));
  }

  /** Agents that stopped polling go offline (the websocket equivalent is the disconnect event); returns how many. */
  async closeExpiredPollSessions(): Promise<number> {
    const ids = await this.agents.closeExpiredPollSessions();
    for (const id of ids) this.changed(id);
    await this.showStatusOf(ids);
    return ids.length;
  }

  /** Shows installations whose sessions were closed in bulk with their new status (one read for all). */
  private async showStatusOf(installationIds: string[]): Promise<void> {
    for (const row of await this.installations.getManyAnyVendor(installationIds)) {
      this.notifier.installationStatus({ vendorId: row.vendor_id, customerId: row.customer_id }, toStatus(row, this.shipped));
    }
  }

  /** A status report. `connected` = it came over this process's socket (see observe's cache). */
  async report(identity: AgentIdentity, report: StatusReport, connected = true): Promise<OkAck> {
    await Promise.all([
      this.observe(identity, report.revision, report.components, connected),
      report.usage === undefined ? undefined : this.usageWriter.submit({ installationId: identity.installationId, at: new Date(), usage: report.usage }),
    ]);
    return OK;
  }

  async progress(identity: AgentIdentity, progress: CommandProgress): Promise<OkAck> {
    // A finish goes on the installation's timeline with the command's own update (CommandRepository).
    await this.commands.progress(identity, progress);
    if (progress.components) await this.observeComponents(identity, progress.components);
    return OK;
  }

  async logs(identity: AgentIdentity, chunk: LogsChunk): Promise<OkAck> {
    await this.commands.logs(identity, chunk);
    return OK;
  }

  private async observeComponents(identity: AgentIdentity, components: StatusReport['components']): Promise<void> {
    const row = await this.installations.get(identity, identity.installationId);
    if (row) await this.observe(identity, row.applied_revision, components, false);
  }

  private async observe(
    identity: AgentIdentity,
    appliedRevision: number,
    components: StatusReport['components'],
    cacheable = true,
    /** From a hello: the agent's version and host it stated (written beside), and its revision is what runs now. */
    hello?: Pick<InstallationRow, 'agent_version' | 'agent_host'>,
  ): Promise<void> {
    const observed: ObservedState = {
      appliedRevision,
      components: components.map(({ name, version, health, message, drift }) => ({ name, version, health, ...(message === undefined ? {} : { message }), ...(drift === undefined ? {} : { drift }) })),
      health: overallHealth(components),
      runningVersion: runningVersionOf(components),
    };
    // The periodic report repeats what is stored: acknowledge it without a write (idle agents cost
    // no database work). The cache is for agents connected to this process: dropped at disconnect.
    // Polled reports may reach any process behind a load balancer, so they are always written.
    const fingerprint = cacheable ? JSON.stringify(observed) : undefined;
    if (fingerprint !== undefined && this.lastStored.get(identity.installationId) === fingerprint) return;
    // Marked after the fingerprint: a hello and the identical report after it are one stored state.
    const saved = await this.statusWriter.submit({ vendorId: identity.vendorId, id: identity.installationId, observed: hello ? { ...observed, hello: true } : observed });
    // A late copy of an older report is not stored (foldObservations): then neither is its fingerprint.
    if (saved && fingerprint !== undefined && saved.row.applied_revision === appliedRevision) this.lastStored.set(identity.installationId, fingerprint);
    if (saved) {
      this.notifier.installationStatus(identity, toStatus({ ...saved.row, ...hello }, this.shipped));
      if (saved.progressed) this.changed(identity.installationId);
    } else this.log.warn({ agentId: identity.agentId }, 'report for a deleted installation');
  }

  private presence(identity: AgentIdentity, online: boolean, hubNode: string): void {
    this.notifier.agentPresence(identity, { installationId: identity.installationId, agentId: identity.agentId, online, at: new Date().toISOString(), hubNode });
  }
}

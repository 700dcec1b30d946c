import http from 'node:http';
import { io, type Socket } from 'socket.io-client';
import { Backoff, RESTART_WINDOW_MS, restartDelay } from '@flotilla/agent-core';
import { AGENT_HTTP, PROTOCOL_VERSION, type AgentToHubEvents, type DesiredState, type HubToAgentEvents, type StatusReport } from '@flotilla/protocol';
import type { AgentIdentity } from './seed.js';
import { simUsage } from './sim-usage.js';

type AgentSocket = Socket<HubToAgentEvents, AgentToHubEvents>;

const HOST = { hostname: 'bench', os: 'linux', arch: 'x64', runtime: 'simulated' };
const ACK_TIMEOUT_MS = 60_000;

/** What a simulated agent observed, for the harness to aggregate. */
export class Observations {
  /** Revision → epoch ms of its first arrival. */
  readonly firstReceipt = new Map<number, number>();
  /** Deliveries of a revision already received (harmless: applying is idempotent by revision). */
  duplicateDeliveries = 0;
  /** Revision → times it was applied (must never exceed 1). */
  readonly applies = new Map<number, number>();
  applied = 0;

  receive(d: DesiredState): boolean {
    if (this.firstReceipt.has(d.revision)) this.duplicateDeliveries += 1;
    else this.firstReceipt.set(d.revision, Date.now());
    if (d.revision <= this.applied) return false;
    this.applied = d.revision;
    this.since = new Date().toISOString();
    this.applies.set(d.revision, (this.applies.get(d.revision) ?? 0) + 1);
    return true;
  }

  /** When the reported state last changed (a real agent keeps `since` while nothing changes). */
  private since = new Date().toISOString();

  /**
   * The status report. Like a real agent's, the periodic one repeats the same facts; the ingest
   * flood numbers each report (`seq`) so that every one is a real write to check afterwards.
   */
  report(seq?: number): StatusReport {
    return { revision: this.applied, components: [{ name: 'web', version: this.applied === 0 ? null : `r${this.applied}`, health: 'healthy', ...(seq === undefined ? {} : { message: `seq ${seq}` }), since: this.since }] };
  }
}

/**
 * A simulated agent on the websocket: the full agent protocol (handshake, hello, acked desired
 * states, command acks and progress, status reports on change and every `statusIntervalMs`), and
 * agent-core's reconnect policy (full-jitter backoff 1 s → 60 s; within the hub's window after its
 * restart notice).
 */
export class SocketAgent {
  readonly seen = new Observations();
  connectedAt: number | undefined;
  /** Milliseconds from the first connect attempt to the first hello ack. */
  firstHelloMs: number | undefined;
  helloed = false;
  hellos = 0;
  /** Epoch ms of the last hello ack. */
  lastHelloAt = 0;
  private socket: AgentSocket | undefined;
  private readonly backoff = new Backoff();
  private closed = false;
  private timer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private seq = 0;
  private flooding = false;
  /** The last connect error, disconnect reason or failed hello (for a harness that waits in vain). */
  private lastProblem = '';
  /** Dropped out (see dropOut): no reconnect until comeBack(). */
  private away = false;
  private metricsTimer: NodeJS.Timeout | undefined;
  /** Usage reports (agent-core's metrics every 30 s) sent, acknowledged, refused or unanswered. */
  readonly metrics = { sent: 0, acked: 0, failed: 0 };
  /** agent-core's answer to the hub's restart notice: retry within its window for two minutes. */
  private restart: { withinMs: number; until: number } | undefined;

  constructor(
    private readonly identity: AgentIdentity,
    private readonly hubUrl: string,
    private readonly localAddress: string,
    private readonly statusIntervalMs: number,
  ) {}

  start(): void {
    this.startedAt = Date.now();
    this.open();
    this.timer = setTimeout(() => this.tick(), Math.random() * this.statusIntervalMs);
  }

  private tick(): void {
    if (this.closed) return;
    this.sendReport();
    this.timer = setTimeout(() => this.tick(), this.statusIntervalMs);
  }

  private open(): void {
    const socket: AgentSocket = io(`${this.hubUrl}/agent`, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      localAddress: this.localAddress,
      auth: { agentId: this.identity.agentId, secret: this.identity.secret, agentVersion: '0.1.0-bench', protocolVersion: PROTOCOL_VERSION, kind: 'compose' },
    } as Parameters<typeof io>[1]);
    this.socket = socket;
    socket.on('connect', () => {
      this.connectedAt = Date.now();
      this.hello(socket);
    });
    socket.on('connect_error', (err) => {
      this.lastProblem = `connect_error: ${err.message}`;
      this.retry(socket);
    });
    socket.on('disconnect', (reason) => {
      this.lastProblem = `disconnect: ${reason}`;
      this.retry(socket);
    });
    socket.on('state:desired', (d, ack) => {
      ack({ accepted: true });
      if (this.seen.receive(d)) this.sendReport();
    });
    socket.on('hub:restarting', (notice) => {
      this.backoff.reset();
      this.restart = { withinMs: notice.reconnectWithinMs, until: Date.now() + RESTART_WINDOW_MS };
    });
    socket.on('command', (c, ack) => {
      ack({ accepted: true });
      socket.emit('command:progress', { id: c.id, status: 'succeeded' }, () => undefined);
    });
  }

  private hello(socket: AgentSocket): void {
    this.helloed = false;
    socket
      .timeout(ACK_TIMEOUT_MS)
      .emitWithAck('agent:hello', { host: HOST, appliedRevision: this.seen.applied, components: this.seen.report().components })
      .then((ack) => {
        if ('error' in ack) throw new Error(ack.error.message);
        this.helloed = true;
        this.hellos += 1;
        this.lastHelloAt = Date.now();
        this.backoff.reset();
        this.restart = undefined;
        this.firstHelloMs ??= Date.now() - this.startedAt;
        if (ack.desired && this.seen.receive(ack.desired)) this.sendReport();
      })
      .catch((err: unknown) => {
        this.lastProblem = `hello: ${err instanceof Error ? err.message : String(err)}`;
        socket.disconnect();
      });
  }

  private retry(socket: AgentSocket): void {
    if (socket !== this.socket) return;
    this.helloed = false;
    socket.removeAllListeners();
    socket.close();
    this.socket = undefined;
    if (this.closed) return;
    if (this.restart && Date.now() >= this.restart.until) this.restart = undefined;
    setTimeout(
      () => {
        if (!this.closed && !this.away && this.socket === undefined) this.open();
      },
      this.restart ? restartDelay(this.restart.withinMs) : this.backoff.next(),
    );
  }

  /**
   * Sends a usage sample every `intervalMs` as agent-core does (its metrics timer, apart from the
   * periodic status report: a report carrying `usage`), the first at a random moment of the interval
   * so a fleet's samples are spread over it.
   */
  startMetrics(intervalMs: number): void {
    clearTimeout(this.metricsTimer);
    const tick = () => {
      if (this.closed) return;
      this.sendUsage();
      this.metricsTimer = setTimeout(tick, intervalMs);
    };
    this.metricsTimer = setTimeout(tick, Math.random() * intervalMs);
  }

  stopMetrics(): void {
    clearTimeout(this.metricsTimer);
    this.metricsTimer = undefined;
  }

  private sendUsage(): void {
    const socket = this.socket;
    // Not connected: the sample is lost, as agent-core's is when its report fails.
    if (!socket?.connected || !this.helloed) return;
    this.metrics.sent += 1;
    socket
      .timeout(ACK_TIMEOUT_MS)
      .emitWithAck('status:report', { ...this.seen.report(), usage: simUsage(new Date()) })
      .then(
        (ack) => {
          if ('ok' in ack) this.metrics.acked += 1;
          else this.metrics.failed += 1;
        },
        () => (this.metrics.failed += 1),
      );
  }

  sendReport(): void {
    const socket = this.socket;
    // While flooding, only numbered reports go out, so the last one acked is the one stored.
    if (!socket?.connected || !this.helloed || this.flooding) return;
    socket.timeout(ACK_TIMEOUT_MS).emitWithAck('status:report', this.seen.report()).catch(() => undefined);
  }

  /**
   * Sends numbered status reports back to back until `deadline`, each after the previous one was
   * acked. Other reports stay off until `endFlood()`, so the harness can check that the last acked
   * one is what PostgreSQL holds.
   */
  async flood(deadline: number): Promise<{ acked: number; failed: number; lastAckedSeq: number }> {
    this.flooding = true;
    let acked = 0;
    let failed = 0;
    let lastAckedSeq = 0;
    while (Date.now() < deadline && !this.closed) {
      const socket = this.socket;
      if (!socket?.connected) {
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      const seq = ++this.seq;
      try {
        const ack = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('status:report', this.seen.report(seq));
        if ('ok' in ack) {
          acked += 1;
          lastAckedSeq = seq;
        } else failed += 1;
      } catch {
        failed += 1;
      }
    }
    return { acked, failed, lastAckedSeq };
  }

  /** Ends the flood with an ordinary report, as the agent's state is again what it reports periodically. */
  endFlood(): void {
    this.flooding = false;
    this.sendReport();
  }

  /**
   * An outage at the site: the connection drops and the agent stays away (no retries) until
   * `comeBack()`; what it applied is kept, as a real agent's state directory keeps it.
   */
  dropOut(): void {
    this.away = true;
    const socket = this.socket;
    this.socket = undefined;
    this.helloed = false;
    socket?.removeAllListeners();
    socket?.close();
  }

  comeBack(): void {
    if (!this.away || this.closed) return;
    this.away = false;
    this.backoff.reset();
    this.open();
  }

  /** What this agent is doing, for the harness's message when it waits in vain. */
  describe(): string {
    const socket = this.socket;
    return `${this.identity.agentId}: ${socket === undefined ? 'no socket (waiting to retry)' : socket.connected ? 'connected' : 'connecting'}, helloed ${this.helloed}, hellos ${this.hellos}, away ${this.away}, last problem "${this.lastProblem}"`;
  }

  get installationId(): string {
    return this.identity.installationId;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    clearTimeout(this.metricsTimer);
    this.socket?.removeAllListeners();
    this.socket?.close();
  }
}

/**
 * The polling peer: the same agent asking `GET /agent/state` every `intervalMs` over keep-alive
 * HTTP, as Distr's and Portainer's agents do, and posting a status report when it applied something.
 */
export class PollingAgent {
  readonly seen = new Observations();
  polls = 0;
  errors = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly auth: string;

  constructor(
    identity: AgentIdentity,
    private readonly hubUrl: string,
    private readonly agent: http.Agent,
    private readonly intervalMs: number,
  ) {
    this.auth = `Basic ${Buffer.from(`${identity.agentId}:${identity.secret}`).toString('base64')}`;
  }

  start(): void {
    this.timer = setTimeout(() => void this.poll(), Math.random() * this.intervalMs);
  }

  private async poll(): Promise<void> {
    if (this.closed) return;
    try {
      const body = await this.request('GET', AGENT_HTTP.state);
      this.polls += 1;
      const { desired } = JSON.parse(body) as { desired: DesiredState | null };
      if (desired && this.seen.receive(desired)) await this.request('POST', AGENT_HTTP.status, JSON.stringify(this.seen.report()));
    } catch {
      this.errors += 1;
    }
    if (!this.closed) this.timer = setTimeout(() => void this.poll(), this.intervalMs);
  }

  private request(method: string, path: string, body?: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        `${this.hubUrl}${path}`,
        {
          method,
          agent: this.agent,
          headers: {
            authorization: this.auth,
            [AGENT_HTTP.headers.agentVersion]: '0.1.0-bench',
            [AGENT_HTTP.headers.pollInterval]: String(Math.round(this.intervalMs / 1000)),
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
        },
        (res) => {
          let data = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (data += c));
          res.on('end', () => ((res.statusCode ?? 500) < 400 ? resolve(data) : reject(new Error(`${res.statusCode}: ${data}`))));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
  }
}

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Namespace, type Socket } from 'socket.io';
import {
  AgentAuth,
  AgentHello,
  CommandProgress,
  LogsChunk,
  StatusReport,
  type AgentToHubEvents,
  type Command,
  type DesiredState,
  type ErrorAck,
  type HubToAgentEvents,
  type OkAck,
} from '@flotilla/protocol';

export type FakeHubSocket = Socket<AgentToHubEvents, HubToAgentEvents>;

export interface FakeHubOptions {
  agentId?: string;
  secret?: string;
  /** Reuse a port (for restarts); 0 = any free port. */
  port?: number;
}

/**
 * A minimal hub for agent tests: a real Socket.IO server on 127.0.0.1, namespace `/agent`, typed with
 * the protocol's event maps. It authenticates like the hub (`connect_error` with data.code
 * UNAUTHORIZED), answers hellos with `desired`, records hellos and status reports, and can push.
 */
export class FakeHub {
  agentId: string;
  secret: string;
  /** What a hello is answered with. */
  desired: DesiredState | null = null;
  /** Commands a hello is answered with. */
  commands: Command[] = [];
  /** Answers `command:progress` (default: stored). Return an error to make the agent keep the result unreported. */
  progressAnswer: (progress: CommandProgress) => OkAck | ErrorAck = () => ({ ok: true });
  readonly progress: CommandProgress[] = [];
  readonly logs: LogsChunk[] = [];
  readonly hellos: AgentHello[] = [];
  readonly reports: StatusReport[] = [];
  readonly auths: unknown[] = [];
  handshakes = 0;
  rejected = 0;
  private io: Server<AgentToHubEvents, HubToAgentEvents> | undefined;
  private nsp: Namespace<AgentToHubEvents, HubToAgentEvents> | undefined;
  port = 0;

  private constructor(opts: FakeHubOptions) {
    this.agentId = opts.agentId ?? 'agent-1';
    this.secret = opts.secret ?? 'secret-1';
    this.port = opts.port ?? 0;
  }

  static async start(opts: FakeHubOptions = {}): Promise<FakeHub> {
    const hub = new FakeHub(opts);
    await hub.listen();
    return hub;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get connectedCount(): number {
    return this.nsp?.sockets.size ?? 0;
  }

  /** Pushes `state:desired` to every connected agent (and answers later hellos with it). */
  push(desired: DesiredState): void {
    this.desired = desired;
    // Acked by the agent; what it answers is not this fake's business (the tests read the agent's state).
    this.nsp?.timeout(10_000).emit('state:desired', desired, () => undefined);
  }

  /** Sends any payload as `state:desired`, bypassing the types (to test validation). */
  pushRaw(payload: unknown): void {
    this.nsp?.timeout(10_000).emit('state:desired', payload as DesiredState, () => undefined);
  }

  /** Sends a command to the first connected agent and resolves its ack. */
  async command(payload: Command | Record<string, unknown>): Promise<unknown> {
    const socket = [...(this.nsp?.sockets.values() ?? [])][0];
    if (socket === undefined) throw new Error('no agent connected');
    return socket.timeout(5000).emitWithAck('command', payload as Command);
  }

  /**
   * Closes the server (agents see a disconnect) and listens again on the same port; with
   * `noticeWithinMs`, first sends the hub's restart notice like a hub shutting down gracefully.
   */
  async restart(downMs = 0, noticeWithinMs?: number): Promise<void> {
    if (noticeWithinMs !== undefined) this.nsp?.emit('hub:restarting', { reconnectWithinMs: noticeWithinMs });
    await this.close();
    if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
    await this.listen();
  }

  async close(): Promise<void> {
    const io = this.io;
    this.io = undefined;
    this.nsp = undefined;
    if (io === undefined) return;
    await io.close();
  }

  private async listen(): Promise<void> {
    const http = createServer();
    const io = new Server<AgentToHubEvents, HubToAgentEvents>(http, { transports: ['websocket'], serveClient: false });
    const nsp = io.of('/agent');
    nsp.use((socket, next) => {
      this.handshakes += 1;
      this.auths.push(socket.handshake.auth);
      const auth = AgentAuth.safeParse(socket.handshake.auth);
      if (!auth.success || auth.data.agentId !== this.agentId || auth.data.secret !== this.secret) {
        this.rejected += 1;
        const err = new Error('invalid agent credentials') as Error & { data?: unknown };
        err.data = { code: 'UNAUTHORIZED', message: 'invalid agent credentials' };
        next(err);
        return;
      }
      next();
    });
    nsp.on('connection', (socket: FakeHubSocket) => {
      socket.on('agent:hello', (payload, ack) => {
        const hello = AgentHello.safeParse(payload);
        if (!hello.success) {
          ack({ error: { code: 'INVALID_PAYLOAD', message: hello.error.message } });
          return;
        }
        this.hellos.push(hello.data);
        ack({ desired: this.desired, commands: this.commands });
      });
      socket.on('status:report', (payload, ack) => {
        const report = StatusReport.safeParse(payload);
        if (!report.success) {
          ack({ error: { code: 'INVALID_PAYLOAD', message: report.error.message } });
          return;
        }
        this.reports.push(report.data);
        ack({ ok: true });
      });
      socket.on('command:progress', (payload, ack) => {
        const progress = CommandProgress.parse(payload);
        const answer = this.progressAnswer(progress);
        if ('ok' in answer) this.progress.push(progress);
        ack(answer);
      });
      socket.on('logs:chunk', (payload, ack) => {
        this.logs.push(LogsChunk.parse(payload));
        ack({ ok: true });
      });
    });
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (http.address() as AddressInfo).port;
    this.io = io;
    this.nsp = nsp;
  }
}

/** Polls `check` until it returns a truthy value (which is returned) or `timeoutMs` passes. */
export async function waitFor<T>(check: () => T | undefined | false | null, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false && value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

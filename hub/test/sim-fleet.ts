import type { DesiredState } from '@flotilla/protocol';
import { io as connect } from 'socket.io-client';
import { PROTOCOL_VERSION } from '@flotilla/protocol';
import { connectAgent, host, type AgentSocket } from './sim-agent.js';

export interface SimAgent {
  installationId: string;
  socket: AgentSocket;
  applied: number;
  /** Components that fail when applied (the previous revision stays applied). */
  failing: Set<string>;
  received: DesiredState[];
}

/**
 * A simulated agent that converges like the real one: on each desired state it waits `delayMs`,
 * then reports the new revision applied and every component healthy (or a named component failed,
 * keeping the previous revision).
 */
export async function simAgent(hubUrl: string, installationId: string, agentId: string, secret: string, delayMs = 30): Promise<SimAgent> {
  const socket = await connectAgent(hubUrl, agentId, secret);
  const agent: SimAgent = { installationId, socket, applied: 0, failing: new Set(), received: [] };
  const converge = (d: DesiredState | null) => {
    if (!d || d.revision <= agent.applied) return;
    agent.received.push(d);
    setTimeout(() => {
      const since = new Date().toISOString();
      const failed = d.components.find((c) => agent.failing.has(c.name));
      if (failed) {
        void socket.emitWithAck('status:report', { revision: agent.applied, components: d.components.map((c) => ({ name: c.name, version: c.version, health: c.name === failed.name ? 'failed' : 'healthy', message: c.name === failed.name ? 'simulated failure' : undefined, since })) });
        return;
      }
      agent.applied = Math.max(agent.applied, d.revision);
      void socket.emitWithAck('status:report', { revision: agent.applied, components: d.components.map((c) => ({ name: c.name, version: c.version, health: 'healthy', since })) });
    }, delayMs);
  };
  socket.on('state:desired', (state) => converge(state));
  const ack = (await socket.emitWithAck('agent:hello', { host, appliedRevision: 0, components: [] })) as { desired: DesiredState | null };
  converge(ack.desired);
  return agent;
}

/**
 * A simulated agent that survives hub restarts: when its connection drops it reconnects (to the next
 * of `hubUrls`, as behind a load balancer), says hello with what it applied, and converges again.
 * Applying is idempotent by revision, so a re-sent desired state is never applied twice.
 */
export function resilientAgent(hubUrls: string[], installationId: string, agentId: string, secret: string, delayMs = 30): SimAgent & { applies: number[]; close(): void } {
  let attempt = 0;
  let closed = false;
  const agent = { installationId, applied: 0, failing: new Set<string>(), received: [] as DesiredState[], applies: [] as number[], socket: undefined as unknown as AgentSocket, close: (): void => undefined };
  // What runs now; reports and hellos always say this, never an earlier snapshot (as agent-core).
  let running: { name: string; version: string | null; health: 'healthy'; since: string }[] = [];
  let reporting = false;
  let dirty = false;
  // Like agent-core, which reports again until the hub stores it (every change, every 30 s): a
  // report lost with a dying hub process, or refused, is sent again on the current socket, with
  // the current state (a retried snapshot could arrive after a newer report). One report at a
  // time; a change meanwhile is sent when it is answered.
  const send = (tries: number): void => {
    dirty = false;
    agent.socket
      .timeout(5000)
      .emitWithAck('status:report', { revision: agent.applied, components: running })
      .then((ack) => ('ok' in ack ? undefined : Promise.reject(new Error('refused'))))
      .then(
        () => {
          reporting = false;
          if (dirty) report();
        },
        () => {
          if (!closed && tries < 20) setTimeout(() => send(tries + 1), 500);
          else reporting = false;
        },
      );
  };
  const report = (): void => {
    if (reporting) {
      dirty = true;
      return;
    }
    reporting = true;
    send(0);
  };
  const open = () => {
    const url = hubUrls[attempt % hubUrls.length] ?? '';
    attempt += 1;
    const socket: AgentSocket = connect(`${url}/agent`, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      auth: { agentId, secret, agentVersion: '0.1.0-test', protocolVersion: PROTOCOL_VERSION, kind: 'compose' },
    });
    agent.socket = socket;
    const converge = (d: DesiredState | null) => {
      if (!d || d.revision <= agent.applied) return;
      agent.received.push(d);
      setTimeout(() => {
        if (d.revision <= agent.applied) return;
        agent.applied = d.revision;
        agent.applies.push(d.revision);
        const since = new Date().toISOString();
        running = d.components.map((c) => ({ name: c.name, version: c.version, health: 'healthy' as const, since }));
        report();
      }, delayMs);
    };
    socket.on('state:desired', (state, ack) => {
      ack({ accepted: true });
      converge(state);
    });
    socket.on('connect', () => {
      // Like agent-core: a hello that is refused or not answered in time (a hub just restarted, on a
      // loaded machine) drops the connection and tries again; kept, the agent would never get the
      // state it missed while the hub was down.
      socket
        .timeout(10_000)
        .emitWithAck('agent:hello', { host, appliedRevision: agent.applied, components: running })
        .then(
          (ack) => {
            const answer = ack as { desired?: DesiredState | null; error?: unknown };
            if (answer.error !== undefined) retry();
            else converge(answer.desired ?? null);
          },
          () => retry(),
        );
    });
    let retried = false;
    const retry = () => {
      // Once per socket: a hello that times out after the socket already dropped must not open a second one.
      if (retried) return;
      retried = true;
      socket.removeAllListeners();
      socket.close();
      if (!closed) setTimeout(open, 200 + Math.random() * 300);
    };
    socket.on('disconnect', retry);
    socket.on('connect_error', retry);
  };
  agent.close = () => {
    closed = true;
    agent.socket.close();
  };
  open();
  return agent;
}

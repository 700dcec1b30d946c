import { io as connect, type Socket } from 'socket.io-client';
import { PROTOCOL_VERSION, type AgentToHubEvents, type Command, type CommandAck, type DesiredState, type HubToAgentEvents } from '@flotilla/protocol';

export type AgentSocket = Socket<HubToAgentEvents, AgentToHubEvents>;

/** A simulated agent: a real socket.io-client speaking the agent protocol, for hub-side tests. */
export interface SimAgentOptions {
  kind?: 'compose' | 'helm';
  /** Reported in the handshake (default 0.1.0-test). */
  agentVersion?: string;
  /** Answers each pushed `command` (default: accepted; the test then drives progress itself). */
  onCommand?: (command: Command) => CommandAck;
  /** Extra handshake headers, e.g. X-Forwarded-For for a hub that trusts its proxy. */
  headers?: Record<string, string>;
}

export function connectAgent(hubUrl: string, agentId: string, secret: string, opts: SimAgentOptions = {}): Promise<AgentSocket> {
  const socket: AgentSocket = connect(`${hubUrl}/agent`, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    ...(opts.headers ? { extraHeaders: opts.headers } : {}),
    auth: { agentId, secret, agentVersion: opts.agentVersion ?? '0.1.0-test', protocolVersion: PROTOCOL_VERSION, kind: opts.kind ?? 'compose' },
  });
  // Like the real agent: every pushed desired state is acknowledged.
  socket.on('state:desired', (_state, ack) => ack({ accepted: true }));
  socket.on('command', (command, ack) => ack(opts.onCommand?.(command) ?? { accepted: true }));
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

export function nextDesired(socket: AgentSocket): Promise<DesiredState> {
  return new Promise((resolve) => socket.once('state:desired', (state) => resolve(state)));
}

export const host = { hostname: 'sim', os: 'linux', arch: 'x64', runtime: 'simulated' };

export function nextCommand(socket: AgentSocket): Promise<Command> {
  return new Promise((resolve) => socket.once('command', (command) => resolve(command)));
}

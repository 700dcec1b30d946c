import type { Namespace, Socket } from 'socket.io';
import type { AgentToHubEvents, HubToAgentEvents, LiveClientToServerEvents, LiveServerToClientEvents, Membership } from '@flotilla/protocol';
import type { AgentIdentity } from '../domain/agents/agent-repository.js';

export interface AgentSocketData {
  identity: AgentIdentity;
  agentVersion: string;
  /** Opened during the handshake, before the agent hears it is connected. */
  sessionId: number;
}

/** Between hub processes, through the adapter. */
export interface AgentHubEvents {
  /** A newer session of the agent opened on the sending process: drop older sockets of it. */
  'agent:replaced': (agentId: string, sessionId: number) => void;
}

export type AgentNamespace = Namespace<AgentToHubEvents, HubToAgentEvents, AgentHubEvents, AgentSocketData>;
export type AgentSocket = Socket<AgentToHubEvents, HubToAgentEvents, AgentHubEvents, AgentSocketData>;
/** Between hub processes on `/live`: nothing (rooms and the adapter carry everything). */
type LiveHubEvents = Record<string, (...args: unknown[]) => void>;

export interface LiveSocketData {
  /** Who the client acts as (its session's or token's memberships), for the client → hub events. */
  memberships?: Membership[];
}

export type LiveNamespace = Namespace<LiveClientToServerEvents, LiveServerToClientEvents, LiveHubEvents, LiveSocketData>;
export type LiveSocket = Socket<LiveClientToServerEvents, LiveServerToClientEvents, LiveHubEvents, LiveSocketData>;

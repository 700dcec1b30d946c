import type { Namespace, Socket } from 'socket.io';
import type { AgentToHubEvents, HubToAgentEvents, LiveClientToServerEvents, LiveServerToClientEvents } from '@flotilla/protocol';
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
export type LiveNamespace = Namespace<LiveClientToServerEvents, LiveServerToClientEvents>;

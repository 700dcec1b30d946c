import type { DefaultEventsMap, Namespace } from 'socket.io';
import type { AgentToHubEvents, HubToAgentEvents, LiveClientToServerEvents, LiveServerToClientEvents } from '@flotilla/protocol';
import type { AgentIdentity } from '../domain/agents/agent-repository.js';

export interface AgentSocketData {
  identity: AgentIdentity;
  agentVersion: string;
}

export type AgentNamespace = Namespace<AgentToHubEvents, HubToAgentEvents, DefaultEventsMap, AgentSocketData>;
export type LiveNamespace = Namespace<LiveClientToServerEvents, LiveServerToClientEvents>;

import { liveRooms, type DesiredState } from '@flotilla/protocol';
import type { Notifier } from '../domain/shared/notifier.js';
import type { AgentNamespace, LiveNamespace } from './namespaces.js';

export const agentRoom = (agentId: string) => `agent:${agentId}`;

/** Notifier over Socket.IO rooms; through the adapter it reaches sockets on every hub process. */
export function socketNotifier(
  agents: AgentNamespace,
  live: LiveNamespace,
  deliver: (agentId: string, state: DesiredState) => void,
  deliverCommand: (agentId: string, installationId: string, commandId: string) => void,
): Notifier {
  return {
    desiredState(agentId, state) {
      deliver(agentId, state);
    },
    deliverCommand,
    installationStatus(scope, status) {
      live.to([liveRooms.vendor(scope.vendorId), liveRooms.customer(scope.customerId)]).emit('installation:status', status);
    },
    agentPresence(scope, presence) {
      live.to([liveRooms.vendor(scope.vendorId), liveRooms.customer(scope.customerId)]).emit('agent:presence', presence);
    },
    commandChanged(scope, command) {
      live.to([liveRooms.vendor(scope.vendorId), liveRooms.customer(scope.customerId)]).emit('command:changed', command);
    },
    rolloutProgress(scope, progress) {
      // The vendor sees every target; each customer only its own installations.
      live.to(liveRooms.vendor(scope.vendorId)).emit('rollout:progress', progress);
      // Customers get their own targets only, and no wave totals (those count other customers' installations).
      for (const customerId of scope.customerIds) {
        live.to(liveRooms.customer(customerId)).emit('rollout:progress', { ...progress, waves: [], targets: progress.targets.filter((t) => t.customerId === customerId) });
      }
    },
    disconnectAgent(agentId) {
      agents.in(agentRoom(agentId)).disconnectSockets(true);
    },
    disconnectLive(room) {
      live.in(room).disconnectSockets(true);
    },
  };
}

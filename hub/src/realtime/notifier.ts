import { CommandAck, liveRooms, type Alert, type AgentPresence, type InstallationStatus, type RolloutProgress } from '@flotilla/protocol';
import type { TenantScope } from '../domain/shared/notifier.js';
import type { Notifier } from '../domain/shared/notifier.js';
import type { AgentNamespace, LiveNamespace } from './namespaces.js';
import type { AgentOutbox } from './agent/agent-outbox.js';

export const agentRoom = (agentId: string) => `agent:${agentId}`;
const LICENSE_ACK_TIMEOUT_MS = 10_000;
const BUNDLE_ACK_TIMEOUT_MS = 10_000;

/**
 * What each customer is shown of a rollout's progress: its own targets only, and no wave totals
 * (those count other customers' installations). Grouped in one pass: a vendor with 10 000
 * single-site customers must not filter 10 000 targets 10 000 times.
 */
export function customerViews(progress: RolloutProgress, customerIds: readonly string[]): [string, RolloutProgress][] {
  const byCustomer = new Map<string, RolloutProgress['targets']>();
  for (const t of progress.targets) {
    const own = byCustomer.get(t.customerId);
    if (own) own.push(t);
    else byCustomer.set(t.customerId, [t]);
  }
  return customerIds.map((customerId) => [customerId, { ...progress, waves: [], targets: byCustomer.get(customerId) ?? [] }]);
}

/** The Socket.IO notifier, and what a hub shutting down needs of it. */
export interface SocketNotifier extends Notifier {
  /** Emits the live updates still being coalesced now (a hub shutting down: after it, Redis closes). */
  flushLive(): void;
}

/**
 * Notifier over Socket.IO rooms; through the adapter it reaches sockets on every hub process.
 * Desired states and commands go to the agent outbox (acked, retried); the rest is sent as is.
 */
export function socketNotifier(agents: AgentNamespace, live: LiveNamespace, outbox: Pick<AgentOutbox, 'push' | 'command'>): SocketNotifier {
  const rooms = (scope: TenantScope) => [liveRooms.vendor(scope.vendorId), liveRooms.customer(scope.customerId)];
  const byInstallation = (item: { installationId: string }) => item.installationId;
  const statuses = new LiveCoalescer<InstallationStatus>(byInstallation, (scope, batch) => {
    if (batch.length === 1 && batch[0]) live.to(rooms(scope)).emit('installation:status', batch[0]);
    else live.to(rooms(scope)).emit('installation:statuses', batch);
  });
  const presences = new LiveCoalescer<AgentPresence>(byInstallation, (scope, batch) => {
    if (batch.length === 1 && batch[0]) live.to(rooms(scope)).emit('agent:presence', batch[0]);
    else live.to(rooms(scope)).emit('agent:presences', batch);
  });
  // An outage fires one alert per installation in one evaluation: one message per customer, not thousands.
  const alerts = new LiveCoalescer<Alert>((alert) => alert.id, (scope, batch) => {
    if (batch.length === 1 && batch[0]) live.to(rooms(scope)).emit('alert:changed', batch[0]);
    else live.to(rooms(scope)).emit('alert:changes', batch);
  });
  return {
    flushLive() {
      for (const coalescer of [statuses, presences, alerts]) coalescer.flush();
    },
    desiredState(agentId, state) {
      outbox.push(agentId, state);
    },
    deliverCommand(agentId, installationId, commandId) {
      outbox.command(agentId, installationId, commandId);
    },
    installationStatus(scope, status) {
      statuses.add(scope, status);
    },
    agentPresence(scope, presence) {
      presences.add(scope, presence);
    },
    installationChanged(scope, installation) {
      live.to(rooms(scope)).emit('installation:changed', installation);
    },
    installationRemoved(scope, removed) {
      live.to(rooms(scope)).emit('installation:removed', removed);
    },
    alertChanged(scope, alert) {
      alerts.add(scope, alert);
    },
    commandChanged(scope, command) {
      live.to(rooms(scope)).emit('command:changed', command);
    },
    rolloutProgress(scope, progress) {
      // The vendor sees every target; each customer only its own installations.
      live.to(liveRooms.vendor(scope.vendorId)).emit('rollout:progress', progress);
      for (const [customerId, view] of customerViews(progress, scope.customerIds)) live.to(liveRooms.customer(customerId)).emit('rollout:progress', view);
    },
    license(agentIds, delivery) {
      // Acked so a slow agent does not pile up; one that misses it gets it again with its next hello.
      agents
        .to(agentIds.map(agentRoom))
        .timeout(LICENSE_ACK_TIMEOUT_MS)
        .emitWithAck('license:current', delivery)
        .catch(() => undefined);
    },
    supportBundleChanged(scope, bundle) {
      live.to(rooms(scope)).emit('support-bundle:changed', bundle);
    },
    async collectSupportBundle(agentId, request) {
      let responses: unknown[];
      try {
        responses = await agents.to(agentRoom(agentId)).timeout(BUNDLE_ACK_TIMEOUT_MS).emitWithAck('bundle:collect', request);
      } catch {
        return null;
      }
      const acks = responses.flatMap((r) => {
        const parsed = CommandAck.safeParse(r);
        return parsed.success ? [parsed.data] : [];
      });
      if (acks.length === 0) return null;
      return acks.find((a) => a.accepted) ?? acks[0] ?? null;
    },
    disconnectAgent(agentId) {
      agents.in(agentRoom(agentId)).disconnectSockets(true);
    },
    disconnectLive(room) {
      live.in(room).disconnectSockets(true);
    },
  };
}

/**
 * Collects live updates (installation statuses, agent presences, alerts) until the current burst of
 * work is done (`setImmediate`: no timer, no added latency) and hands them over per customer, the
 * newest per key (`keyOf`: an installation, an alert). A status batch written for 500 agents becomes
 * a few live messages, not 500 (each one a Redis XADD with several hub processes).
 */
export class LiveCoalescer<T> {
  private pending = new Map<string, { scope: TenantScope; byKey: Map<string, T> }>();
  private scheduled = false;

  constructor(
    private readonly keyOf: (item: T) => string,
    private readonly handOver: (scope: TenantScope, batch: T[]) => void,
  ) {}

  add(scope: TenantScope, item: T): void {
    const key = `${scope.vendorId}|${scope.customerId}`;
    let entry = this.pending.get(key);
    if (!entry) {
      entry = { scope, byKey: new Map() };
      this.pending.set(key, entry);
    }
    entry.byKey.set(this.keyOf(item), item);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Hands over what is pending now, without waiting for the burst to end. */
  flush(): void {
    const batches = this.pending;
    this.pending = new Map();
    this.scheduled = false;
    for (const { scope, byKey } of batches.values()) this.handOver(scope, [...byKey.values()]);
  }
}

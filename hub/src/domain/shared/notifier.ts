import type { Alert, AgentPresence, BundleCollect, CommandAck, DesiredState, Installation, InstallationCommand, InstallationRemoved, InstallationStatus, LicenseDelivery, RolloutProgress, SupportBundle } from '@flotilla/protocol';

/**
 * How domain services tell the outside world that something changed, without knowing Socket.IO.
 * The realtime layer implements it; with the Redis adapter it reaches sockets on every hub process.
 */
export interface Notifier {
  desiredState(agentId: string, state: DesiredState): void;
  /** Queues the delivery of a stored command to its agent (acked, retried; hello re-sends it anyway). */
  deliverCommand(agentId: string, installationId: string, commandId: string): void;
  installationStatus(scope: TenantScope, status: InstallationStatus): void;
  agentPresence(scope: TenantScope, presence: AgentPresence): void;
  /** An installation was created or changed (name, environment, track, agent, lifecycle…), in its REST shape. */
  installationChanged(scope: TenantScope, installation: Installation): void;
  /** An installation was deleted (at once, or once its agent uninstalled it). */
  installationRemoved(scope: TenantScope, removed: InstallationRemoved): void;
  /** A command to an installation's agent was created or changed status. */
  commandChanged(scope: TenantScope, command: InstallationCommand): void;
  /** Rollout progress to the vendor and to the customers whose installations changed. */
  rolloutProgress(scope: { vendorId: string; customerIds: string[] }, progress: RolloutProgress): void;
  /** Hands the customer's current license to these agents (connected ones now; the others get it with their next hello). */
  license(agentIds: string[], delivery: LicenseDelivery): void;
  /** An alert fired or resolved: to the vendor and the installation's customer. */
  alertChanged(scope: TenantScope, alert: Alert): void;
  /** A support bundle was asked for or changed status: to the vendor and the installation's customer. */
  supportBundleChanged(scope: TenantScope, bundle: SupportBundle): void;
  /** Asks the agent (wherever it is connected) to collect a support bundle; null when no agent answered. */
  collectSupportBundle(agentId: string, request: BundleCollect): Promise<CommandAck | null>;
  /** Drops the agent's live connection(s) on every hub process (credentials rotated or revoked). */
  disconnectAgent(agentId: string): void;
  /** Drops every `/live` socket in a room on every hub process (e.g. `session:<id>` when it is revoked). */
  disconnectLive(room: string): void;
}

export interface TenantScope {
  vendorId: string;
  customerId: string;
}

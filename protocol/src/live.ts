import { z } from 'zod';
import type { Alert } from './rest/alerts.js';
import { ComponentName, Health, IsoDate } from './common.js';
import { Drift, ErrorAck, HostFacts, LogFollowEnd, OkAck } from './agent.js';
import { AgentUpdateOffer, InstallationCommand } from './rest/commands.js';
import { TargetBlocker } from './rest/rollout-blockers.js';
import type { Installation } from './rest/resources.js';
import type { SupportBundle } from './support-bundles.js';

export const ComponentState = z.object({
  name: z.string(),
  version: z.string().nullable(),
  health: Health,
  message: z.string().optional(),
  /** The runtime is not at the revision the agent applied (see `Drift`); a redeploy resolves it. */
  drift: Drift.optional(),
  /** What the installation's desired state asks this component to run (null: not in the desired state). */
  desiredVersion: z.string().nullable().optional(),
});
export type ComponentState = z.infer<typeof ComponentState>;

/** `GET /installations/:id/status`, and the `installation:status` live event. */
export const InstallationStatus = z.object({
  installationId: z.string(),
  online: z.boolean(),
  desiredRevision: z.number().int(),
  appliedRevision: z.number().int(),
  health: Health,
  components: z.array(ComponentState),
  /** What was last deployed: a release's version, or an application version's. */
  desiredVersion: z.string().nullable(),
  /**
   * What runs: the release (or application version) deployed, once every desired component runs its
   * desired version; otherwise the components' versions as reported.
   */
  runningVersion: z.string().nullable(),
  /** Components whose running version differs from the desired one (empty: in sync). */
  versionDrift: z.array(z.object({ component: z.string(), desired: z.string().nullable(), running: z.string().nullable() })).default([]),
  /** The agent's host, from its last handshake (null before it ever connected). */
  host: HostFacts.nullable().default(null),
  lastSeenAt: IsoDate.nullable(),
  updatedAt: IsoDate,
  /** The version the agent reported in its last handshake; null before it ever connected. */
  agentVersion: z.string().nullable(),
  /** Offered when the hub ships a newer agent than the one running (send a `self-update` command). */
  agentUpdate: AgentUpdateOffer.nullable(),
});
export type InstallationStatus = z.infer<typeof InstallationStatus>;

export const AgentPresence = z.object({
  installationId: z.string(),
  agentId: z.string(),
  online: z.boolean(),
  at: IsoDate,
  hubNode: z.string().optional(),
});
export type AgentPresence = z.infer<typeof AgentPresence>;

/** A rollout changed: its status and the targets that changed (same shapes as `GET /rollouts/:id`). */
export const RolloutProgress = z.object({
  rolloutId: z.string(),
  status: z.string(),
  message: z.string().nullable(),
  waves: z.array(z.object({ index: z.number().int(), total: z.number().int(), finished: z.number().int() })),
  targets: z.array(
    z.object({
      installationId: z.string(),
      customerId: z.string(),
      wave: z.number().int(),
      status: z.string(),
      waitingFor: z.string().nullable(),
      stage: z.number().int(),
      approved: z.boolean(),
      approvedFor: IsoDate.nullable(),
      message: z.string().nullable(),
      finishedAt: IsoDate.nullable(),
      blocker: TargetBlocker.nullable(),
      /** As in the REST target (absent from hubs before required releases). */
      requiredSteps: z.array(z.object({ releaseId: z.string(), version: z.string(), stageCount: z.number().int() })).optional(),
      step: z.number().int().optional(),
    }),
  ),
});
export type RolloutProgress = z.infer<typeof RolloutProgress>;

export interface LiveServerToClientEvents {
  'installation:status': (payload: InstallationStatus) => void;
  /**
   * Several `installation:status` at once, newest per installation (a fleet-wide rollout or a
   * reconnect storm changes thousands in a second; one message instead of thousands).
   */
  'installation:statuses': (payload: InstallationStatus[]) => void;
  'agent:presence': (payload: AgentPresence) => void;
  /** Several `agent:presence` at once, newest per installation (connect and reconnect storms). */
  'agent:presences': (payload: AgentPresence[]) => void;
  'rollout:progress': (payload: RolloutProgress) => void;
  /** A command to an installation's agent was created or changed status (same shape as `GET /installations/:id/commands/:commandId`, without logs). */
  'command:changed': (payload: InstallationCommand) => void;
  /** An installation was created or changed (name, environment, track, lifecycle…): the REST shape. */
  'installation:changed': (payload: Installation) => void;
  /** An installation was deleted (at once, or after its agent uninstalled it). */
  'installation:removed': (payload: InstallationRemoved) => void;
  /** An alert fired or resolved (same shape as `GET /alerts`). */
  'alert:changed': (payload: Alert) => void;
  /** Several `alert:changed` at once, newest per alert (an outage fires one alert per installation). */
  'alert:changes': (payload: Alert[]) => void;
  /** Lines of a log follow this client asked for (`logs:follow`). */
  'logs:lines': (payload: LiveLogLines) => void;
  /** A support bundle was asked for or changed status (same shape as `GET /installations/:id/support-bundles` items). */
  'support-bundle:changed': (payload: SupportBundle) => void;
}

export const InstallationRemoved = z.object({ installationId: z.string() });
export type InstallationRemoved = z.infer<typeof InstallationRemoved>;

/** `/live` client → hub `logs:follow`: tail one component of an installation. */
export const LiveLogFollow = z.object({
  installationId: z.string().min(1).max(100),
  component: ComponentName,
  /** Past lines to start with (default 100). */
  tail: z.number().int().min(0).max(1000).optional(),
});
export type LiveLogFollow = z.infer<typeof LiveLogFollow>;

export const LiveLogFollowAck = z.object({ followId: z.string() });
export type LiveLogFollowAck = z.infer<typeof LiveLogFollowAck>;

export const LiveLogUnfollow = z.object({ followId: z.string().min(1).max(100) });
export type LiveLogUnfollow = z.infer<typeof LiveLogUnfollow>;

/** hub → the following client: the next lines (`dropped`: lines the rate cap left out; `end`: the follow is over). */
export const LiveLogLines = z.object({
  followId: z.string(),
  installationId: z.string(),
  lines: z.array(z.string()),
  dropped: z.number().int().min(0).optional(),
  end: LogFollowEnd.optional(),
});
export type LiveLogLines = z.infer<typeof LiveLogLines>;

/** What clients may ask of `/live`: only log follows; everything else is pushed. */
export interface LiveClientToServerEvents {
  'logs:follow': (payload: LiveLogFollow, ack: (response: LiveLogFollowAck | ErrorAck) => void) => void;
  'logs:unfollow': (payload: LiveLogUnfollow, ack?: (response: OkAck | ErrorAck) => void) => void;
}

export const liveRooms = {
  vendor: (vendorId: string) => `vendor:${vendorId}`,
  customer: (customerId: string) => `customer:${customerId}`,
  /** The clients of one log follow; named with the agent so an agent can only reach its own followers. */
  logFollow: (agentId: string, followId: string) => `logs:${agentId}:${followId}`,
} as const;

import { z } from 'zod';
import { IsoDate } from './common.js';

/**
 * THE catalogue of outbound events (webhooks, later e-mail and alerts): what an integrator may
 * subscribe to. Vendor endpoints receive every event of the vendor; a customer organisation's
 * endpoints only those about its own installations (`customerId` set).
 */
export const EVENT_TYPES = [
  'rollout.started',
  'rollout.paused',
  'rollout.resumed',
  'rollout.aborted',
  'rollout.completed',
  'rollout.failed',
  'rollout.rolled_back',
  'installation.online',
  'installation.offline',
  'installation.health_changed',
  'installation.drifted',
  'release.locked',
  'release.held',
  'release.rescinded',
  'approval.requested',
  'approval.given',
  /** A rollout's target waits for its installation's maintenance window (the update is scheduled into it). */
  'maintenance.scheduled',
  'command.finished',
  'alert.firing',
  'alert.resolved',
] as const;
export const EventType = z.enum(EVENT_TYPES);
export type EventType = z.infer<typeof EventType>;

/** Sent by "send test" only; never emitted by the domain. */
export const TEST_EVENT_TYPE = 'webhook.test';

/**
 * The body of every delivery (Standard Webhooks: `type`, `timestamp`, `data`). `data` names what
 * changed by id (and name where cheap): read the full resource over REST when you need more.
 */
export const OutboundEvent = z.object({
  type: z.union([EventType, z.literal(TEST_EVENT_TYPE)]),
  timestamp: IsoDate,
  data: z.object({
    vendorId: z.string(),
    customerId: z.string().nullable(),
    installationId: z.string().nullable().optional(),
    rolloutId: z.string().nullable().optional(),
    releaseId: z.string().nullable().optional(),
    commandId: z.string().nullable().optional(),
    /** e.g. the new health, the pause reason, the command's result. */
    message: z.string().nullable().optional(),
    health: z.string().nullable().optional(),
  }).catchall(z.unknown()),
});
export type OutboundEvent = z.infer<typeof OutboundEvent>;

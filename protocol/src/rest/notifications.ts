import { z } from 'zod';

/**
 * E-mail notifications a user may subscribe to, sent as digests (one mail per user per digest
 * interval, however many events). Vendor users hear of their vendor's fleet; customer users only of
 * their own organisation's installations.
 */
export const VENDOR_NOTIFICATION_EVENTS = ['rollout.paused', 'rollout.failed', 'approval.given', 'installation.offline', 'alert.firing', 'alert.resolved'] as const;
export const CUSTOMER_NOTIFICATION_EVENTS = ['update.available', 'approval.requested', 'maintenance.scheduled'] as const;
export const NOTIFICATION_EVENTS = [...VENDOR_NOTIFICATION_EVENTS, ...CUSTOMER_NOTIFICATION_EVENTS] as const;
export const NotificationEvent = z.enum(NOTIFICATION_EVENTS);
export type NotificationEvent = z.infer<typeof NotificationEvent>;

/**
 * What a user gets before choosing: e-mail on, every event of their kind except
 * `installation.offline` (alert rules are the tuned way to hear of outages; turning it on mails
 * installations offline for `offlineMinutes`, 15 by default).
 */
export const DEFAULT_NOTIFICATION_PREFERENCES = {
  email: true,
  events: NOTIFICATION_EVENTS.filter((e) => e !== 'installation.offline'),
  offlineMinutes: 15,
} as const satisfies { email: boolean; events: readonly NotificationEvent[]; offlineMinutes: number };

const OfflineMinutes = z.number().int().min(1).max(10_080);

export const NotificationPreferences = z.object({
  /** Master switch: off sends nothing. */
  email: z.boolean(),
  /** Subscribed events (only those in `available` matter). */
  events: z.array(NotificationEvent),
  /** `installation.offline` is sent for installations offline at least this long (and still offline). */
  offlineMinutes: OfflineMinutes,
  /** The events this user's memberships make sense of (vendor ones, customer ones, or both). */
  available: z.array(NotificationEvent),
  /** How often digests go out (the hub's NOTIFY_DIGEST_SECONDS). */
  digestSeconds: z.number().int(),
});
export type NotificationPreferences = z.infer<typeof NotificationPreferences>;

export const UpdateNotificationPreferencesBody = z
  .object({
    email: z.boolean().optional(),
    events: z.array(NotificationEvent).max(NOTIFICATION_EVENTS.length).optional(),
    offlineMinutes: OfflineMinutes.optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'nothing to update');
export type UpdateNotificationPreferencesBody = z.input<typeof UpdateNotificationPreferencesBody>;

import { z } from 'zod';
import { BeforeId, IsoDate, Items, text } from '../common.js';
import { EventType } from '../events.js';

/** An `http(s)://` URL the hub posts events to (where it may point is checked by the hub: no private addresses). */
export const WebhookUrl = text(2000)
  .trim()
  .refine((v) => URL.canParse(v) && ['http:', 'https:'].includes(new URL(v).protocol), 'an http:// or https:// URL');

export const Webhook = z.object({
  id: z.string(),
  /** null: the vendor's own endpoint (every event); else the customer organisation that owns it (its installations only). */
  customerId: z.string().nullable(),
  url: z.string(),
  description: z.string(),
  /** The event types it receives; empty = all. */
  events: z.array(EventType),
  enabled: z.boolean(),
  /** Why it was turned off automatically (kept failing), or null. */
  disabledReason: z.string().nullable(),
  /** The previous secret still signs (as a second signature) until then, after a rotation. */
  previousSecretExpiresAt: IsoDate.nullable(),
  createdAt: IsoDate,
  updatedAt: IsoDate,
});
export type Webhook = z.infer<typeof Webhook>;

/** A created endpoint or a rotated secret: the `whsec_…` secret is in this answer only. */
export const WebhookWithSecret = Webhook.extend({ secret: z.string() });
export type WebhookWithSecret = z.infer<typeof WebhookWithSecret>;

export const WebhookList = Items(Webhook);
export type WebhookList = z.infer<typeof WebhookList>;

export const CreateWebhookBody = z
  .object({
    url: WebhookUrl,
    description: text(200).trim().optional(),
    events: z.array(EventType).max(50).optional(),
    enabled: z.boolean().optional(),
  })
  .strict();
export type CreateWebhookBody = z.input<typeof CreateWebhookBody>;

export const UpdateWebhookBody = z
  .object({
    url: WebhookUrl.optional(),
    description: text(200).trim().optional(),
    events: z.array(EventType).max(50).optional(),
    /** true also clears an automatic disable. */
    enabled: z.boolean().optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'nothing to update');
export type UpdateWebhookBody = z.input<typeof UpdateWebhookBody>;

export const RotateWebhookSecretBody = z
  .object({
    /** How long the old secret keeps signing beside the new one (default 24 h; 0 = drop it now). */
    overlapHours: z.number().min(0).max(24 * 7).optional(),
  })
  .strict();
export type RotateWebhookSecretBody = z.input<typeof RotateWebhookSecretBody>;

export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'succeeded', 'retrying', 'failed', 'cancelled'] as const;
export const WebhookDeliveryStatus = z.enum(WEBHOOK_DELIVERY_STATUSES);

export const WebhookDelivery = z.object({
  id: z.string(),
  webhookId: z.string(),
  /** The `webhook-id` header: the same for every attempt of this message. */
  messageId: z.string(),
  eventType: z.string(),
  status: WebhookDeliveryStatus,
  /** Attempts made so far. */
  attempts: z.number().int(),
  /** HTTP status of the last attempt, or null (no answer: see `error`). */
  responseStatus: z.number().int().nullable(),
  /** The first bytes of the last answer's body. */
  responseExcerpt: z.string().nullable(),
  error: z.string().nullable(),
  durationMs: z.number().int().nullable(),
  nextAttemptAt: IsoDate.nullable(),
  createdAt: IsoDate,
  lastAttemptAt: IsoDate.nullable(),
  payload: z.record(z.string(), z.unknown()),
});
export type WebhookDelivery = z.infer<typeof WebhookDelivery>;

export const WebhookDeliveryPage = z.object({ items: z.array(WebhookDelivery), nextBefore: z.string().nullable() });
export type WebhookDeliveryPage = z.infer<typeof WebhookDeliveryPage>;

export const WebhookDeliveriesQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: BeforeId.optional(),
});
export type WebhookDeliveriesQuery = z.infer<typeof WebhookDeliveriesQuery>;

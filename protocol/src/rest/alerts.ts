import { z } from 'zod';
import { IsoDate, Items, text } from '../common.js';

/**
 * Alert rules of a vendor: an installation `offline` or with `health_failing` for longer than
 * `threshold` minutes, `releases_behind` its track's newest by `threshold` releases or more, or
 * running an `agent_outdated` (threshold unused).
 */
export const ALERT_KINDS = ['offline', 'health_failing', 'releases_behind', 'agent_outdated'] as const;
export const AlertKind = z.enum(ALERT_KINDS);
export type AlertKind = z.infer<typeof AlertKind>;

/** The threshold a rule gets when none is given, per kind. */
export const DEFAULT_ALERT_THRESHOLDS: Record<AlertKind, number> = { offline: 15, health_failing: 15, releases_behind: 2, agent_outdated: 0 };

export const AlertRule = z.object({
  id: z.string(),
  name: z.string(),
  kind: AlertKind,
  threshold: z.number().int(),
  enabled: z.boolean(),
  createdAt: IsoDate,
  updatedAt: IsoDate,
});
export type AlertRule = z.infer<typeof AlertRule>;
export const AlertRuleList = Items(AlertRule);
export type AlertRuleList = z.infer<typeof AlertRuleList>;

const Threshold = z.number().int().min(0).max(100_000);

export const CreateAlertRuleBody = z
  .object({ name: text(100).trim().min(1), kind: AlertKind, threshold: Threshold.optional(), enabled: z.boolean().optional() })
  .strict()
  .refine((b) => b.kind === 'agent_outdated' || b.threshold === undefined || b.threshold >= 1, { message: 'threshold must be at least 1', path: ['threshold'] });
export type CreateAlertRuleBody = z.input<typeof CreateAlertRuleBody>;

export const UpdateAlertRuleBody = z
  .object({ name: text(100).trim().min(1).optional(), threshold: Threshold.optional(), enabled: z.boolean().optional() })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'nothing to update');
export type UpdateAlertRuleBody = z.input<typeof UpdateAlertRuleBody>;

export const AlertState = z.enum(['firing', 'resolved']);
export type AlertState = z.infer<typeof AlertState>;

export const Alert = z.object({
  id: z.string(),
  ruleId: z.string(),
  ruleName: z.string(),
  kind: AlertKind,
  installationId: z.string(),
  installationName: z.string(),
  customerId: z.string(),
  state: AlertState,
  message: z.string(),
  firedAt: IsoDate,
  resolvedAt: IsoDate.nullable(),
});
export type Alert = z.infer<typeof Alert>;
export const AlertList = Items(Alert);
export type AlertList = z.infer<typeof AlertList>;

export const AlertsQuery = z.object({
  /** Default: firing only. */
  state: z.enum(['firing', 'resolved', 'all']).default('firing'),
  installationId: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});
export type AlertsQuery = z.infer<typeof AlertsQuery>;

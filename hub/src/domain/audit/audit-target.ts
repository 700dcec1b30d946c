/**
 * What an audited action was done to: the target's type and id, from the action (the role matrix's
 * `audit` column), the route's parameters and the answer. Pure.
 *
 * By default the type is the action's area (`customer.update` → `customer`) and the id the route's
 * `:id`, else the answer's `id` (a created object). The exceptions are below: an area that is not a
 * type of object (`member`, a login), and nested routes whose `:id` is the parent (a version of an
 * application, a release of a track, an approval of a rollout's target).
 */
export const AUDIT_TARGET_TYPES = ['vendor', 'user', 'session', 'token', 'invite', 'customer', 'installation', 'application', 'version', 'track', 'release', 'entitlement', 'rollout', 'license', 'webhook', 'alert-rule', 'support-bundle'] as const;
export type AuditTargetType = (typeof AUDIT_TARGET_TYPES)[number];

interface TargetRule {
  type: AuditTargetType;
  /** `created`: the answer's `id` before the route's `:id`; `param:x`: the route's `:x`. */
  id?: 'created' | `param:${string}`;
  /** Details to add from route parameters (e.g. the version's application), `key → param name`. */
  details?: Record<string, string>;
}

const RULES: Readonly<Record<string, TargetRule>> = {
  'session.login': { type: 'user' },
  'branding.update': { type: 'vendor' },
  'invite.accept': { type: 'user' },
  'member.role': { type: 'user' },
  'member.remove': { type: 'user' },
  // One's own preferences: the user is the actor and the target.
  'notification-preferences.update': { type: 'user' },
  'version.create': { type: 'version', id: 'created', details: { applicationId: 'id' } },
  'version.update': { type: 'version', id: 'param:vid', details: { applicationId: 'id' } },
  'version.delete': { type: 'version', id: 'param:vid', details: { applicationId: 'id' } },
  'release.create': { type: 'release', id: 'created', details: { trackId: 'id' } },
  'license.replace': { type: 'license', id: 'created', details: { replaces: 'id' } },
  'rollout.approve': { type: 'installation', id: 'param:installationId', details: { rolloutId: 'id' } },
  // Asked on the installation's route: the bundle is the answer's id.
  'support-bundle.request': { type: 'support-bundle', id: 'created', details: { installationId: 'id' } },
  'support-bundle-policy.update': { type: 'customer' },
};

export interface AuditTargetInput {
  action: string;
  params: Readonly<Record<string, string | undefined>>;
  /** The answer's `id`, when it has one. */
  answerId: string | undefined;
  /** An id the handler named explicitly (`ctx.state.auditTarget`), which wins. */
  explicitId: string | undefined;
}

export interface AuditTarget {
  type: AuditTargetType | null;
  id: string | null;
  /** Details the rule adds (only those whose parameter is present). */
  details: Record<string, string>;
}

function isTargetType(value: string): value is AuditTargetType {
  return (AUDIT_TARGET_TYPES as readonly string[]).includes(value);
}

export function auditTarget({ action, params, answerId, explicitId }: AuditTargetInput): AuditTarget {
  const area = action.split('.')[0] ?? '';
  const rule: TargetRule | undefined = RULES[action] ?? (isTargetType(area) ? { type: area } : undefined);
  const fromRule = rule?.id === 'created' ? answerId : rule?.id?.startsWith('param:') ? params[rule.id.slice('param:'.length)] : undefined;
  const details: Record<string, string> = {};
  for (const [key, param] of Object.entries(rule?.details ?? {})) {
    const value = params[param];
    if (value !== undefined) details[key] = value;
  }
  return { type: rule?.type ?? null, id: explicitId ?? fromRule ?? params.id ?? answerId ?? null, details };
}

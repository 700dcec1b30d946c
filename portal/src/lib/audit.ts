import type { AuditRecord } from '@flotilla/protocol';

export type { AuditRecord, AuditPage } from '@flotilla/protocol';

export interface AuditFilter {
  /** An action (`invite.create`) or a whole area (`invite` matches `invite.*`); '' = all. */
  action: string;
}

export const AUDIT_PAGE_SIZE = 50;

/**
 * The audited actions (the `audit` column of the hub's role matrix), by area. Kept equal to
 * hub/src/http/route-access.ts by hub/test/portal-audit-actions.test.ts.
 */
export const AUDIT_ACTIONS: readonly string[] = [
  'vendor.signup',
  'session.login',
  'session.logout',
  'session.revoke',
  'token.create',
  'token.revoke',
  'invite.create',
  'invite.revoke',
  'invite.accept',
  'member.role',
  'member.remove',
  'notification-preferences.update',
  'branding.update',
  'webhook.create',
  'webhook.update',
  'webhook.delete',
  'webhook.rotate-secret',
  'webhook.test',
  'webhook.redeliver',
  'alert-rule.create',
  'alert-rule.update',
  'alert-rule.delete',
  'customer.create',
  'customer.update',
  'customer.delete',
  'installation.create',
  'installation.update',
  'installation.config',
  'installation.delete',
  'installation.agent-credentials',
  'installation.deploy',
  'installation.command',
  'support-bundle.request',
  'support-bundle.approve',
  'support-bundle.reject',
  'support-bundle.download',
  'support-bundle-policy.update',
  'application.create',
  'application.update',
  'application.delete',
  'version.create',
  'version.update',
  'version.delete',
  'track.create',
  'track.update',
  'release.create',
  'release.update',
  'release.delete',
  'release.lock',
  'release.unlock',
  'release.hold',
  'release.resume',
  'release.rescind',
  'release.require',
  'release.unrequire',
  'entitlement.create',
  'entitlement.update',
  'entitlement.delete',
  'license.issue',
  'license.replace',
  'license.revoke',
  'rollout.create',
  'rollout.pause',
  'rollout.resume',
  'rollout.abort',
  'rollout.approve',
];

export interface ActionGroup {
  area: string;
  /** The area itself first (all of its actions), then each action. */
  options: { value: string; label: string }[];
}

/** Options of the action filter: per area, "all <area> actions" and each action. */
export function auditActionGroups(actions: readonly string[] = AUDIT_ACTIONS): ActionGroup[] {
  const groups = new Map<string, string[]>();
  for (const action of actions) {
    const area = action.split('.')[0] ?? action;
    groups.set(area, [...(groups.get(area) ?? []), action]);
  }
  return [...groups].map(([area, list]) => ({
    area,
    options: [{ value: area, label: `All ${area} actions` }, ...list.map((a) => ({ value: a, label: a }))],
  }));
}

/** The `GET /audit` query for a filter, from the newest (or from before an entry id). */
export function auditQuery(filter: AuditFilter, before?: string, limit = AUDIT_PAGE_SIZE): { action?: string; limit: number; before?: string } {
  return { action: filter.action || undefined, limit, before };
}

/** Appends an older page, skipping entries already shown (a page boundary seen twice). */
export function appendPage(shown: readonly AuditRecord[], page: readonly AuditRecord[]): AuditRecord[] {
  const seen = new Set(shown.map((e) => e.id));
  return [...shown, ...page.filter((e) => !seen.has(e.id))];
}

/** `2025-01-01 10:00:05 UTC`: unambiguous across the team's time zones. */
export function formatTimestamp(iso: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  return `${at.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** Who acted: the email, marked when through an API token; `system` when nobody is recorded. */
export function formatActor(actor: AuditRecord['actor']): string {
  const who = actor.email ?? (actor.userId ? `user ${shortId(actor.userId)}` : 'system');
  return actor.tokenId ? `${who} (API token)` : who;
}

export function formatTarget(target: AuditRecord['target']): string {
  if (!target.id) return target.type ?? '—';
  const what = target.name ?? shortId(target.id);
  return target.type ? `${target.type} ${what}` : what;
}

/** The portal page of each target type that has one (a version links to its application). */
const TARGET_PAGES: Readonly<Record<string, string>> = {
  installation: '/installations/',
  release: '/releases/',
  application: '/applications/',
  customer: '/customers/',
  rollout: '/rollouts/',
  track: '/tracks/',
};

/** The target types the audit log links to a page (checked against the hub's types by hub/test/portal-audit-actions.test.ts). */
export const LINKED_TARGET_TYPES: readonly string[] = [...Object.keys(TARGET_PAGES), 'version'];

export interface TargetView {
  /** `installation main (Globex)`, `release Shop 1.2.0`, `customer 0b6c1c2e` when the name is unknown. */
  text: string;
  /** The target's page, or null (no page for its type, or nothing to link). */
  href: string | null;
}

/** How the audit log shows an entry's target: its type and name, linked to its page. */
export function targetView(entry: Pick<AuditRecord, 'target' | 'details'>): TargetView {
  const { type, id } = entry.target;
  const text = formatTarget(entry.target);
  if (!type || !id) return { text, href: null };
  if (type === 'version') {
    const app = entry.details?.applicationId;
    return { text, href: typeof app === 'string' ? `/applications/${encodeURIComponent(app)}` : null };
  }
  const page = TARGET_PAGES[type];
  return { text, href: page ? `${page}${encodeURIComponent(id)}` : null };
}

/** The first 8 characters of a UUID (the rest is in the title attribute). */
export function shortId(id: string): string {
  return /^[0-9a-f]{8}-[0-9a-f-]{27}$/i.test(id) ? id.slice(0, 8) : id;
}

/**
 * Details as a short `key=value` list for the table; a known `customerId` shows as `customer=<name>`,
 * other UUIDs by their first 8 characters.
 */
export function formatDetails(details: Record<string, unknown> | null, customerNames: ReadonlyMap<string, string> = new Map()): string {
  if (!details) return '';
  return Object.entries(details)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => {
      const name = k === 'customerId' && typeof v === 'string' ? customerNames.get(v) : undefined;
      if (name !== undefined) return `customer=${name}`;
      return `${k}=${typeof v === 'string' ? shortId(v) : JSON.stringify(v)}`;
    })
    .join(' ');
}

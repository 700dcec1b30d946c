import { CUSTOMER_NOTIFICATION_EVENTS, VENDOR_NOTIFICATION_EVENTS, type NotificationEvent } from '@flotilla/protocol';
import type { MappedEvent } from '../webhooks/event-mapping.js';

/**
 * Who hears of what (pure). The event outbox's events become notifications for an audience —
 * the vendor's own users, or the users of the customers concerned — and queue items for every
 * member of that audience whose preferences ask for it. Tenancy lives here: a customer user is in
 * an audience only through a membership of that very customer.
 */

export interface Preferences {
  email: boolean;
  events: readonly string[];
  offlineMinutes: number;
}

/** One membership of a user (a user with two memberships is two recipients; items are deduplicated). */
export interface Recipient {
  userId: string;
  vendorId: string;
  /** null: a vendor user. */
  customerId: string | null;
  prefs: Preferences;
}

export interface Notification {
  event: NotificationEvent;
  vendorId: string;
  /** null: the vendor's users; else the users of these customers. */
  customerIds: readonly string[] | null;
  installationId: string | null;
  line: string;
  at: Date;
}

export interface QueueItem {
  userId: string;
  vendorId: string;
  event: NotificationEvent;
  installationId: string | null;
  line: string;
  at: Date;
  dueAt: Date;
}

/** Names the lines use, resolved by the caller (ids when unknown). */
export interface Names {
  installation(id: string | null | undefined): string;
  release(id: string | null | undefined): string;
  /** Customers whose installations follow the release's track (who an update concerns). */
  customersFollowing(releaseId: string | null | undefined): readonly string[];
}

const VENDOR = new Set<string>(VENDOR_NOTIFICATION_EVENTS);
const CUSTOMER = new Set<string>(CUSTOMER_NOTIFICATION_EVENTS);

/** The events a user with these memberships may subscribe to. */
export function availableEvents(memberships: readonly { customerId: string | null }[]): NotificationEvent[] {
  const vendor = memberships.some((m) => m.customerId === null);
  const customer = memberships.some((m) => m.customerId !== null);
  return [...(vendor ? VENDOR_NOTIFICATION_EVENTS : []), ...(customer ? CUSTOMER_NOTIFICATION_EVENTS : [])];
}

const suffix = (message: string | null | undefined) => (message ? `: ${message}` : '');

/** The notification an outbound event means, if any. */
export function notificationOf(e: MappedEvent, names: Names): Notification | undefined {
  const d = e.payload.data;
  const at = new Date(e.payload.timestamp);
  const inst = names.installation(d.installationId);
  const release = names.release(d.releaseId);
  const base = { vendorId: e.vendorId, installationId: d.installationId ?? null, at };
  const toVendor = (event: NotificationEvent, line: string): Notification => ({ ...base, event, customerIds: null, line });
  const toCustomer = (event: NotificationEvent, line: string): Notification | undefined => (e.customerId ? { ...base, event, customerIds: [e.customerId], line } : undefined);
  switch (e.type) {
    case 'rollout.paused':
      return toVendor('rollout.paused', `Rollout of ${release} paused${suffix(d.message)}`);
    case 'rollout.failed':
      return toVendor('rollout.failed', `Rollout of ${release} failed${suffix(d.message)}`);
    case 'approval.given':
      return toVendor('approval.given', `${inst}: ${release} approved`);
    case 'installation.offline':
      return toVendor('installation.offline', `${inst} offline since ${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`);
    case 'alert.firing':
      return toVendor('alert.firing', `${inst}: ${d.message ?? 'alert firing'}`);
    case 'alert.resolved':
      return toVendor('alert.resolved', `${inst}: ${d.message ?? 'alert resolved'}`);
    case 'approval.requested':
      return toCustomer('approval.requested', `${inst}: ${release} waits for your approval`);
    case 'maintenance.scheduled':
      return toCustomer('maintenance.scheduled', `${inst}: ${release} is scheduled for its next maintenance window`);
    case 'release.locked': {
      const customerIds = names.customersFollowing(d.releaseId);
      return customerIds.length === 0 ? undefined : { ...base, event: 'update.available', customerIds, line: `${release} is available` };
    }
    default:
      return undefined;
  }
}

function reaches(n: Notification, r: Recipient): boolean {
  if (r.vendorId !== n.vendorId) return false;
  if (n.customerIds === null) return r.customerId === null && VENDOR.has(n.event);
  return r.customerId !== null && n.customerIds.includes(r.customerId) && CUSTOMER.has(n.event);
}

/** Queue items for everyone in each notification's audience who asked for it, once per user. */
export function queueItems(notifications: readonly Notification[], recipients: readonly Recipient[]): QueueItem[] {
  const items: QueueItem[] = [];
  for (const n of notifications) {
    const users = new Set<string>();
    for (const r of recipients) {
      if (users.has(r.userId) || !reaches(n, r) || !r.prefs.email || !r.prefs.events.includes(n.event)) continue;
      users.add(r.userId);
      const delay = n.event === 'installation.offline' ? r.prefs.offlineMinutes * 60_000 : 0;
      items.push({ userId: r.userId, vendorId: n.vendorId, event: n.event, installationId: n.installationId, line: n.line, at: n.at, dueAt: new Date(n.at.getTime() + delay) });
    }
  }
  return items;
}

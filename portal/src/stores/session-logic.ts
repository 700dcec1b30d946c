import type { Membership } from '@flotilla/protocol';
import { canManageBranding, canManageMembers, canManageWebhooks, canViewAlertRules, canViewAudit } from '../lib/roles';
import { canSteerRollouts } from '../lib/rollouts';

export type Area = 'vendor' | 'customer';

/** A capability a page needs beyond being signed in. */
export type Capability = 'members' | 'audit' | 'rollouts' | 'branding' | 'webhooks' | 'alert-rules';

export function hasCapability(memberships: readonly Membership[], capability: Capability): boolean {
  if (capability === 'rollouts') return canSteerRollouts(memberships);
  if (capability === 'branding') return canManageBranding(memberships);
  if (capability === 'webhooks') return canManageWebhooks(memberships);
  if (capability === 'alert-rules') return canViewAlertRules(memberships);
  return capability === 'members' ? canManageMembers(memberships) : canViewAudit(memberships);
}

/** The membership that makes the user a vendor user (customerId null), if any. */
export function vendorMembership(memberships: readonly Membership[]): Membership | undefined {
  return memberships.find((m) => m.customerId === null);
}

export function customerMembership(memberships: readonly Membership[]): Membership | undefined {
  return memberships.find((m) => m.customerId !== null);
}

/** Vendor users land on the fleet page, customer-only users on the customer portal. */
export function homeArea(memberships: readonly Membership[]): Area {
  return vendorMembership(memberships) || !customerMembership(memberships) ? 'vendor' : 'customer';
}

export function homePath(memberships: readonly Membership[]): string {
  return homeArea(memberships) === 'vendor' ? '/' : '/customer';
}

export interface RouteAccess {
  requiresAuth?: boolean;
  guestOnly?: boolean;
  area?: Area;
  requires?: Capability;
}

/**
 * The router guard's decision: `true` to proceed, or the path to go to instead.
 * `memberships` is null when nobody is signed in.
 */
export function decideNavigation(access: RouteAccess, memberships: readonly Membership[] | null, fullPath: string): true | string {
  if (memberships === null) {
    if (access.requiresAuth) return fullPath === '/' ? '/login' : `/login?redirect=${encodeURIComponent(fullPath)}`;
    return true;
  }
  if (access.guestOnly) return homePath(memberships);
  if (access.area === 'vendor' && !vendorMembership(memberships) && customerMembership(memberships)) return '/customer';
  // A page the role cannot use (the hub would answer 404/403): go home instead of a broken page.
  if (access.requires && !hasCapability(memberships, access.requires)) return homePath(memberships);
  return true;
}

/** Only same-app paths are honoured as a post-login redirect (no `//evil.example`). */
export function safeRedirect(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return null;
  return value;
}

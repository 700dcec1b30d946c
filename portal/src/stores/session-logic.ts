import type { Membership } from '@flotilla/protocol';

export type Area = 'vendor' | 'customer';

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
  return true;
}

/** Only same-app paths are honoured as a post-login redirect (no `//evil.example`). */
export function safeRedirect(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return null;
  return value;
}

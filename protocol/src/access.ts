import type { CustomerRole, Membership, VendorRole } from './rest/auth.js';

/**
 * The role ladders and the access rule of a route, defined once: the hub's role matrix
 * (hub/src/http/route-access.ts) decides with them, and the portal's permission checks
 * (portal/src/lib/roles.ts) ask the same questions of the same rules.
 */

/** Vendor roles, weakest first: each may do what those before it may. */
export const VENDOR_ROLES = ['viewer', 'release-manager', 'admin'] as const;
/** Customer roles, weakest first. */
export const CUSTOMER_ROLES = ['viewer', 'admin'] as const;

/**
 * Who may call a route:
 * - `public`: anyone (the route authenticates by other means, e.g. an install token);
 * - `user`: any signed-in user, acting on their own things (tokens, sessions);
 * - `vendor`: members of the vendor with at least `vendor` role; customer users get 404;
 * - `tenant`: vendor members with at least `vendor`, or customer members with at least `customer`,
 *   scoped to their own customer (`customer: null` = customer users may not).
 */
export type Access =
  | { kind: 'public' }
  | { kind: 'user' }
  | { kind: 'vendor'; vendor: VendorRole }
  | { kind: 'tenant'; vendor: VendorRole; customer: CustomerRole | null };

export function rank(role: string, ladder: readonly string[]): number {
  return ladder.indexOf(role);
}

export function atLeast(role: string, needed: string, ladder: readonly string[]): boolean {
  const have = rank(role, ladder);
  return have >= 0 && have >= rank(needed, ladder);
}

export type Decision =
  | { allowed: true; membership: Membership }
  /** not-found: the caller may not know this exists (other tenant, customer on a vendor route). */
  | { allowed: false; reason: 'not-found' | 'forbidden' };

/**
 * Picks the membership a request acts through (the vendor one first) and decides whether its role
 * suffices. Pure. `wantedVendorId` (X-Flotilla-Vendor) selects among several organisations.
 */
export function decide(access: Access, memberships: readonly Membership[], wantedVendorId?: string): Decision {
  if (access.kind === 'public' || access.kind === 'user') throw new Error(`decide() is for organisation routes, not ${access.kind}`);
  const candidates = memberships.filter((m) => !wantedVendorId || m.vendorId === wantedVendorId);
  const vendorMembership = candidates.find((m) => m.customerId === null);
  if (vendorMembership) {
    return atLeast(vendorMembership.role, access.vendor, VENDOR_ROLES) ? { allowed: true, membership: vendorMembership } : { allowed: false, reason: 'forbidden' };
  }
  const customerMembership = candidates.find((m) => m.customerId !== null);
  if (!customerMembership || access.kind === 'vendor' || access.customer === null) return { allowed: false, reason: 'not-found' };
  return atLeast(customerMembership.role, access.customer, CUSTOMER_ROLES) ? { allowed: true, membership: customerMembership } : { allowed: false, reason: 'forbidden' };
}

/** Roles a member may grant (to an invite or an API token): never above their own. */
export function mayGrant(granter: Membership, role: string, toCustomer: boolean): boolean {
  if (granter.customerId !== null) return toCustomer && atLeast(granter.role, role, CUSTOMER_ROLES) && rank(role, CUSTOMER_ROLES) >= 0;
  if (toCustomer) return granter.role === 'admin' && rank(role, CUSTOMER_ROLES) >= 0;
  return atLeast(granter.role, role, VENDOR_ROLES) && rank(role, VENDOR_ROLES) >= 0;
}

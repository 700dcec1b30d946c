import type { Membership } from '@flotilla/protocol';

/**
 * What the signed-in user may do, mirrored from the hub's role matrix (hub/src/http/route-access.ts
 * and domain/access/roles.ts) so the portal hides what the hub would refuse. The hub stays the
 * authority: a hidden link is a courtesy, not a control.
 */

export const VENDOR_ROLES = ['admin', 'release-manager', 'viewer'] as const;
export const CUSTOMER_ROLES = ['admin', 'viewer'] as const;
export type VendorRole = (typeof VENDOR_ROLES)[number];
export type CustomerRole = (typeof CUSTOMER_ROLES)[number];
export type Role = VendorRole;

const LABELS: Record<string, string> = { admin: 'Admin', 'release-manager': 'Release manager', viewer: 'Viewer' };

export function roleLabel(role: string): string {
  return LABELS[role] ?? role;
}

/** Roles from the strongest down. */
function ladder(customer: boolean): readonly Role[] {
  return customer ? CUSTOMER_ROLES : VENDOR_ROLES;
}

/** The roles at or below `role` on its ladder (none when the role is unknown there). */
function atOrBelow(role: string, customer: boolean): Role[] {
  const roles = ladder(customer);
  const at = roles.indexOf(role as Role);
  return at < 0 ? [] : roles.slice(at);
}

/**
 * The membership organisation routes act through when no vendor is chosen: the first vendor
 * membership, else the first customer membership (as the hub's `decide()` picks).
 */
export function actingMembership(memberships: readonly Membership[]): Membership | undefined {
  return memberships.find((m) => m.customerId === null) ?? memberships.find((m) => m.customerId !== null);
}

/** Users & invites: vendor admins, and customer admins (of customer-only users). */
export function canManageMembers(memberships: readonly Membership[]): boolean {
  return actingMembership(memberships)?.role === 'admin';
}

/** The audit log: vendor admins only. */
export function canViewAudit(memberships: readonly Membership[]): boolean {
  const m = actingMembership(memberships);
  return m !== undefined && m.customerId === null && m.role === 'admin';
}

/** Tracks and releases (create, edit, lock, hold, rescind, delete): vendor admins and release managers. */
export function canEditReleases(memberships: readonly Membership[]): boolean {
  const m = memberships.find((x) => x.customerId === null);
  return m !== undefined && (m.role === 'admin' || m.role === 'release-manager');
}

/** Applications and their versions (create, edit, archive, delete): vendor admins and release managers. */
export function canEditApplications(memberships: readonly Membership[]): boolean {
  return canEditReleases(memberships);
}

/** Customers (create, rename, delete) and installations (create, edit, delete): vendor admins only. */
export function canManageCustomers(memberships: readonly Membership[]): boolean {
  const m = memberships.find((x) => x.customerId === null);
  return m?.role === 'admin';
}

/** Installations (create, edit name, environment and track, delete or uninstall): vendor admins only. */
export function canManageInstallations(memberships: readonly Membership[]): boolean {
  return canManageCustomers(memberships);
}

/** The vendor's branding and custom domains: vendor admins only. */
export function canManageBranding(memberships: readonly Membership[]): boolean {
  return memberships.find((x) => x.customerId === null)?.role === 'admin';
}

/** Granting and revoking entitlements: vendor admins only. */
export function canManageEntitlements(memberships: readonly Membership[]): boolean {
  const m = memberships.find((x) => x.customerId === null);
  return m?.role === 'admin';
}

/**
 * Installing a release on an installation (`POST /installations/:id/deploy`): the hub acts through
 * the acting membership; vendor release managers and up, or customer admins.
 */
export function canInstallReleases(memberships: readonly Membership[]): boolean {
  const m = actingMembership(memberships);
  if (!m) return false;
  return m.customerId === null ? m.role === 'admin' || m.role === 'release-manager' : m.role === 'admin';
}

/** Agent credentials (`POST /installations/:id/agent-credentials`): vendor admins, or customer admins. */
export function canConnectAgents(memberships: readonly Membership[]): boolean {
  return actingMembership(memberships)?.role === 'admin';
}

/** Whether the acting membership is a vendor one (may pick a customer when inviting). */
export function isVendorActor(memberships: readonly Membership[]): boolean {
  return actingMembership(memberships)?.customerId === null;
}

/**
 * Roles the granter may give to an invite or a member, as the hub's `mayGrant`: vendor admins give
 * any vendor role, or any customer role; customer admins give customer roles; nobody above their own.
 */
export function grantableRoles(granter: Membership | undefined, toCustomer: boolean): Role[] {
  if (!granter) return [];
  if (granter.customerId !== null) return toCustomer ? atOrBelow(granter.role, true) : [];
  if (toCustomer) return granter.role === 'admin' ? [...CUSTOMER_ROLES] : [];
  return atOrBelow(granter.role, false);
}

/** Roles an API token of this membership may have: its own role or below. */
export function tokenRoles(membership: Membership | undefined): Role[] {
  if (!membership) return [];
  return atOrBelow(membership.role, membership.customerId !== null);
}

export interface NavLink {
  to: string;
  label: string;
  testId: string;
  /** Active only on exactly this path (the fleet page is `/`, a prefix of everything). */
  exact?: boolean;
  /** Settings pages sit apart from the daily work (the right end of the navigation row). */
  settings?: boolean;
}

/** The header's links for this user: only pages their role can use. */
export function navLinks(memberships: readonly Membership[]): NavLink[] {
  const links: NavLink[] = [];
  const vendor = memberships.some((m) => m.customerId === null);
  if (vendor) {
    links.push({ to: '/', label: 'Fleet', testId: 'nav-fleet', exact: true });
    links.push({ to: '/applications', label: 'Applications', testId: 'nav-applications' });
    links.push({ to: '/tracks', label: 'Releases', testId: 'nav-tracks' });
    links.push({ to: '/rollouts', label: 'Rollouts', testId: 'nav-rollouts' });
    links.push({ to: '/customers', label: 'Customers', testId: 'nav-customers' });
  }
  if (memberships.some((m) => m.customerId !== null)) {
    links.push({ to: '/customer', label: vendor ? 'Customer portal' : 'Installations', testId: 'nav-customer', exact: true });
    // Users of both areas read release notes in the vendor area; customer-only users get their own page.
    if (!vendor) links.push({ to: '/customer/releases', label: 'Release notes', testId: 'nav-customer-releases' });
  }
  if (canManageMembers(memberships)) links.push({ to: '/settings/users', label: 'Users & invites', testId: 'nav-users', settings: true });
  if (canManageBranding(memberships)) links.push({ to: '/settings/branding', label: 'Branding', testId: 'nav-branding', settings: true });
  if (memberships.length > 0) links.push({ to: '/settings/tokens', label: 'API tokens', testId: 'nav-tokens', settings: true });
  if (canViewAudit(memberships)) links.push({ to: '/settings/audit', label: 'Audit log', testId: 'nav-audit', settings: true });
  return links;
}

import { CUSTOMER_ROLES, VENDOR_ROLES, decide, mayGrant, type Access, type ApiRouteKey, type CustomerRole, type Membership, type VendorRole } from '@flotilla/protocol';

/**
 * What the signed-in user may do, so the portal hides what the hub would refuse. The hub stays the
 * authority: a hidden link is a courtesy, not a control. Each permission is "may call this route",
 * decided by the protocol's `decide` with the route's rule in the hub's role matrix
 * (hub/src/http/route-access.ts); hub/test/portal-permissions.test.ts checks every rule here against it.
 */

export type { CustomerRole, VendorRole };
export type Role = VendorRole;

const vendor = (role: VendorRole): Access => ({ kind: 'vendor', vendor: role });
const tenant = (vendorRole: VendorRole, customerRole: CustomerRole | null): Access => ({ kind: 'tenant', vendor: vendorRole, customer: customerRole });

export interface Permission {
  route: ApiRouteKey;
  access: Access;
}

export const PERMISSIONS = {
  /** Users & invites: vendor admins, and customer admins (of customer-only users). */
  manageMembers: { route: 'POST /invites', access: tenant('admin', 'admin') },
  /** The audit log: vendor admins only. */
  viewAudit: { route: 'GET /audit', access: vendor('admin') },
  /** Tracks and releases (create, edit, lock, hold, rescind, delete). */
  editReleases: { route: 'POST /tracks', access: vendor('release-manager') },
  /** Applications and their versions (create, edit, archive, delete). */
  editApplications: { route: 'POST /applications', access: vendor('release-manager') },
  /** Customers (create, rename, delete). */
  manageCustomers: { route: 'POST /customers', access: vendor('admin') },
  /** Installations (create, edit name, environment and track, delete or uninstall): customer admins their own, within limits. */
  manageInstallations: { route: 'POST /installations', access: tenant('admin', 'admin') },
  /** The vendor's branding and custom domains. */
  manageBranding: { route: 'PATCH /branding', access: vendor('admin') },
  /** Outbound webhooks: vendor admins for the vendor's, customer admins for their organisation's. */
  manageWebhooks: { route: 'POST /webhooks', access: tenant('admin', 'admin') },
  /** Seeing the vendor's alert rules (Settings → Alerts): every vendor user. */
  viewAlertRules: { route: 'GET /alert-rules', access: vendor('viewer') },
  /** Creating, editing and deleting alert rules: vendor admins. */
  manageAlertRules: { route: 'POST /alert-rules', access: vendor('admin') },
  /** Granting and revoking entitlements. */
  manageEntitlements: { route: 'POST /entitlements', access: vendor('admin') },
  /** Installing a release on an installation. */
  installReleases: { route: 'POST /installations/:id/deploy', access: tenant('release-manager', 'admin') },
  /** An installation's configuration (environment values, write-only secrets, helm values): as settings. */
  configureInstallations: { route: 'PUT /installations/:id/config', access: tenant('admin', 'admin') },
  /** Agent credentials. */
  connectAgents: { route: 'POST /installations/:id/agent-credentials', access: tenant('admin', 'admin') },
  /** Pause, resume, abort a rollout. */
  steerRollouts: { route: 'POST /rollouts/:id/pause', access: vendor('release-manager') },
  /** Approving a rollout's target (for customer users: of their own customer). */
  approveTargets: { route: 'POST /rollouts/:id/targets/:installationId/approve', access: tenant('release-manager', 'admin') },
  /** Commands to an installation's agent (which ones: lib/commands.ts). */
  sendCommands: { route: 'POST /installations/:id/commands', access: tenant('release-manager', 'admin') },
  /** Asking an installation's agent for a support bundle. */
  requestSupportBundles: { route: 'POST /installations/:id/support-bundles', access: tenant('release-manager', 'admin') },
  /** Downloading a ready support bundle (viewers see the list and the manifest only). */
  downloadSupportBundles: { route: 'GET /support-bundles/:id/download', access: tenant('release-manager', 'admin') },
  /** Approving or rejecting a bundle the vendor asked for (the hub allows customer admins only). */
  decideSupportBundles: { route: 'POST /support-bundles/:id/approve', access: tenant('admin', 'admin') },
  /** Whether support bundles need the customer's approval (the hub allows customer admins only). */
  setSupportBundlePolicy: { route: 'PUT /customers/:id/support-bundle-policy', access: tenant('admin', 'admin') },
} as const satisfies Record<string, Permission>;

export type PermissionName = keyof typeof PERMISSIONS;

/** Whether the hub would let these memberships call the permission's route (through the membership it acts in). */
export function may(memberships: readonly Membership[], permission: PermissionName): boolean {
  return decide(PERMISSIONS[permission].access, memberships).allowed;
}

const LABELS: Record<string, string> = { admin: 'Admin', 'release-manager': 'Release manager', viewer: 'Viewer' };

export function roleLabel(role: string): string {
  return LABELS[role] ?? role;
}

/** A ladder of the protocol's roles from the strongest down (the order role pickers show). */
function strongestFirst(customer: boolean): Role[] {
  return [...(customer ? CUSTOMER_ROLES : VENDOR_ROLES)].reverse();
}

/**
 * The membership organisation routes act through when no vendor is chosen: the first vendor
 * membership, else the first customer membership (as the hub's `decide()` picks).
 */
export function actingMembership(memberships: readonly Membership[]): Membership | undefined {
  return memberships.find((m) => m.customerId === null) ?? memberships.find((m) => m.customerId !== null);
}

export const canManageMembers = (memberships: readonly Membership[]) => may(memberships, 'manageMembers');
export const canViewAudit = (memberships: readonly Membership[]) => may(memberships, 'viewAudit');
export const canEditReleases = (memberships: readonly Membership[]) => may(memberships, 'editReleases');
export const canEditApplications = (memberships: readonly Membership[]) => may(memberships, 'editApplications');
export const canManageCustomers = (memberships: readonly Membership[]) => may(memberships, 'manageCustomers');
export const canManageInstallations = (memberships: readonly Membership[]) => may(memberships, 'manageInstallations');
export const canConfigureInstallations = (memberships: readonly Membership[]) => may(memberships, 'configureInstallations');
export const canManageBranding = (memberships: readonly Membership[]) => may(memberships, 'manageBranding');
export const canManageWebhooks = (memberships: readonly Membership[]) => may(memberships, 'manageWebhooks');
export const canViewAlertRules = (memberships: readonly Membership[]) => may(memberships, 'viewAlertRules');
export const canManageAlertRules = (memberships: readonly Membership[]) => may(memberships, 'manageAlertRules');
export const canManageEntitlements = (memberships: readonly Membership[]) => may(memberships, 'manageEntitlements');
export const canInstallReleases = (memberships: readonly Membership[]) => may(memberships, 'installReleases');
export const canConnectAgents = (memberships: readonly Membership[]) => may(memberships, 'connectAgents');
export const canRequestSupportBundles = (memberships: readonly Membership[]) => may(memberships, 'requestSupportBundles');
export const canDownloadSupportBundles = (memberships: readonly Membership[]) => may(memberships, 'downloadSupportBundles');
/** Approving, rejecting and the approval rule are the customer's: its admins, never vendor members. */
export const canDecideSupportBundles = (memberships: readonly Membership[]) => may(memberships, 'decideSupportBundles') && !isVendorActor(memberships);
export const canSetSupportBundlePolicy = (memberships: readonly Membership[]) => may(memberships, 'setSupportBundlePolicy') && !isVendorActor(memberships);

/** Whether the acting membership is a vendor one (may pick a customer when inviting). */
export function isVendorActor(memberships: readonly Membership[]): boolean {
  return actingMembership(memberships)?.customerId === null;
}

/** Roles the granter may give to an invite or a member (the protocol's `mayGrant`), strongest first. */
export function grantableRoles(granter: Membership | undefined, toCustomer: boolean): Role[] {
  if (!granter) return [];
  return strongestFirst(toCustomer).filter((role) => mayGrant(granter, role, toCustomer));
}

/** Roles an API token of this membership may have: its own role or below, strongest first. */
export function tokenRoles(membership: Membership | undefined): Role[] {
  if (!membership) return [];
  return grantableRoles(membership, membership.customerId !== null);
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
  if (canManageWebhooks(memberships)) links.push({ to: '/settings/webhooks', label: 'Webhooks', testId: 'nav-webhooks', settings: true });
  if (canViewAlertRules(memberships)) links.push({ to: '/settings/alerts', label: 'Alerts', testId: 'nav-alerts', settings: true });
  if (memberships.length > 0) links.push({ to: '/settings/notifications', label: 'Notifications', testId: 'nav-notifications', settings: true });
  if (memberships.length > 0) links.push({ to: '/settings/tokens', label: 'API tokens', testId: 'nav-tokens', settings: true });
  if (canViewAudit(memberships)) links.push({ to: '/settings/audit', label: 'Audit log', testId: 'nav-audit', settings: true });
  return links;
}

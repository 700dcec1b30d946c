import type { Access, CustomerRole, VendorRole } from '../domain/access/roles.js';

const PUBLIC = { kind: 'public' } as const;
const USER = { kind: 'user' } as const;
const vendor = (role: VendorRole) => ({ kind: 'vendor', vendor: role }) as const;
const tenant = (vendorRole: VendorRole, customerRole: CustomerRole | null) => ({ kind: 'tenant', vendor: vendorRole, customer: customerRole }) as const;

export interface RouteRule {
  access: Access;
  /** Audit action recorded when the request succeeds (every state-changing route has one). */
  audit?: string;
}

/**
 * THE role matrix: every REST route under /api/v1, who may call it, and what it audits. Routes are
 * registered by key from this table (so none can exist without a rule), the isolation suite is
 * generated from it, and the README's matrix mirrors it.
 */
export const ROUTES = {
  'POST /auth/signup': { access: PUBLIC, audit: 'vendor.signup' },
  'POST /auth/signup/confirm': { access: PUBLIC, audit: 'vendor.signup' },
  'POST /auth/login': { access: PUBLIC, audit: 'session.login' },
  'POST /auth/logout': { access: USER, audit: 'session.logout' },
  'GET /me': { access: USER },
  'GET /me/notification-preferences': { access: USER },
  'PUT /me/notification-preferences': { access: USER, audit: 'notification-preferences.update' },
  'GET /sessions': { access: USER },
  'DELETE /sessions/:id': { access: USER, audit: 'session.revoke' },
  'GET /tokens': { access: USER },
  'POST /tokens': { access: USER, audit: 'token.create' },
  'DELETE /tokens/:id': { access: USER, audit: 'token.revoke' },

  'GET /invites': { access: tenant('admin', 'admin') },
  'POST /invites': { access: tenant('admin', 'admin'), audit: 'invite.create' },
  'DELETE /invites/:id': { access: tenant('admin', 'admin'), audit: 'invite.revoke' },
  'POST /invites/:token/accept': { access: PUBLIC, audit: 'invite.accept' },
  'GET /users': { access: tenant('admin', 'admin') },
  'PATCH /users/:id': { access: tenant('admin', 'admin'), audit: 'member.role' },
  'DELETE /users/:id': { access: tenant('admin', 'admin'), audit: 'member.remove' },
  'GET /audit': { access: vendor('admin') },

  // Customers see their vendor's look; the host's brand and the images are public (the login page).
  'GET /branding': { access: tenant('viewer', 'viewer') },
  'PATCH /branding': { access: vendor('admin'), audit: 'branding.update' },
  'GET /branding/host': { access: PUBLIC },
  'GET /branding/:vendorId/:image': { access: PUBLIC },

  // Outbound webhooks: vendor admins for the vendor's endpoints, customer admins for their organisation's.
  'GET /webhooks': { access: tenant('admin', 'admin') },
  'POST /webhooks': { access: tenant('admin', 'admin'), audit: 'webhook.create' },
  'GET /webhooks/:id': { access: tenant('admin', 'admin') },
  'PATCH /webhooks/:id': { access: tenant('admin', 'admin'), audit: 'webhook.update' },
  'DELETE /webhooks/:id': { access: tenant('admin', 'admin'), audit: 'webhook.delete' },
  'POST /webhooks/:id/rotate-secret': { access: tenant('admin', 'admin'), audit: 'webhook.rotate-secret' },
  'POST /webhooks/:id/test': { access: tenant('admin', 'admin'), audit: 'webhook.test' },
  'GET /webhooks/:id/deliveries': { access: tenant('admin', 'admin') },
  'POST /webhooks/:id/deliveries/:deliveryId/redeliver': { access: tenant('admin', 'admin'), audit: 'webhook.redeliver' },

  // Alert rules are the vendor's; alerts are seen by whoever sees the installation.
  'GET /alert-rules': { access: vendor('viewer') },
  'POST /alert-rules': { access: vendor('admin'), audit: 'alert-rule.create' },
  'PATCH /alert-rules/:id': { access: vendor('admin'), audit: 'alert-rule.update' },
  'DELETE /alert-rules/:id': { access: vendor('admin'), audit: 'alert-rule.delete' },
  'GET /alerts': { access: tenant('viewer', 'viewer') },

  'GET /applications': { access: vendor('viewer') },
  'POST /applications': { access: vendor('release-manager'), audit: 'application.create' },
  'GET /applications/:id': { access: vendor('viewer') },
  'PATCH /applications/:id': { access: vendor('release-manager'), audit: 'application.update' },
  'DELETE /applications/:id': { access: vendor('release-manager'), audit: 'application.delete' },
  'GET /applications/:id/versions': { access: vendor('viewer') },
  'POST /applications/:id/versions': { access: vendor('release-manager'), audit: 'version.create' },
  'GET /applications/:id/versions/:vid': { access: vendor('viewer') },
  'PATCH /applications/:id/versions/:vid': { access: vendor('release-manager'), audit: 'version.update' },
  'DELETE /applications/:id/versions/:vid': { access: vendor('release-manager'), audit: 'version.delete' },

  'GET /customers': { access: vendor('viewer') },
  'POST /customers': { access: vendor('admin'), audit: 'customer.create' },
  'GET /customers/:id': { access: tenant('viewer', 'viewer') },
  'PATCH /customers/:id': { access: vendor('admin'), audit: 'customer.update' },
  'DELETE /customers/:id': { access: vendor('admin'), audit: 'customer.delete' },

  'GET /installations': { access: tenant('viewer', 'viewer') },
  // Customer admins serve themselves: their own installations, within the limits the vendor set on
  // the customer (maximum installations, allowed environments; the service enforces them).
  'POST /installations': { access: tenant('admin', 'admin'), audit: 'installation.create' },
  'GET /installations/:id': { access: tenant('viewer', 'viewer') },
  'PATCH /installations/:id': { access: tenant('admin', 'admin'), audit: 'installation.update' },
  'DELETE /installations/:id': { access: tenant('admin', 'admin'), audit: 'installation.delete' },
  'POST /installations/:id/agent-credentials': { access: tenant('admin', 'admin'), audit: 'installation.agent-credentials' },
  'POST /installations/:id/deploy': { access: tenant('release-manager', 'admin'), audit: 'installation.deploy' },
  // Per-component configuration: whoever sees the installation sees its environment values and the
  // names of its secrets (never a secret's value: they are write-only); whoever may change the
  // installation (vendor and customer admins, as PATCH) may change them.
  'GET /installations/:id/config': { access: tenant('viewer', 'viewer') },
  'PUT /installations/:id/config': { access: tenant('admin', 'admin'), audit: 'installation.config' },
  'GET /installations/:id/status': { access: tenant('viewer', 'viewer') },
  'GET /installations/:id/uptime': { access: tenant('viewer', 'viewer') },
  'GET /installations/:id/metrics': { access: tenant('viewer', 'viewer') },
  'GET /installations/:id/events': { access: tenant('viewer', 'viewer') },
  // Vendor release managers and admins send any command; customer admins restart, collect logs and
  // redeploy their own installations (the service refuses them rollback and self-update).
  'POST /installations/:id/commands': { access: tenant('release-manager', 'admin'), audit: 'installation.command' },
  'GET /installations/:id/commands': { access: tenant('viewer', 'viewer') },
  'GET /installations/:id/commands/:commandId': { access: tenant('viewer', 'viewer') },

  // Support bundles: asked by those who may command the agent (vendor release managers, customer
  // admins), seen by every member, downloaded by those who may ask. Approving, rejecting and the
  // approval policy are the customer's own decisions: the service refuses vendor members (FORBIDDEN).
  'POST /installations/:id/support-bundles': { access: tenant('release-manager', 'admin'), audit: 'support-bundle.request' },
  'GET /installations/:id/support-bundles': { access: tenant('viewer', 'viewer') },
  'GET /support-bundles/:id': { access: tenant('viewer', 'viewer') },
  'GET /support-bundles/:id/download': { access: tenant('release-manager', 'admin'), audit: 'support-bundle.download' },
  'POST /support-bundles/:id/approve': { access: tenant('admin', 'admin'), audit: 'support-bundle.approve' },
  'POST /support-bundles/:id/reject': { access: tenant('admin', 'admin'), audit: 'support-bundle.reject' },
  'GET /customers/:id/support-bundle-policy': { access: tenant('viewer', 'viewer') },
  'PUT /customers/:id/support-bundle-policy': { access: tenant('admin', 'admin'), audit: 'support-bundle-policy.update' },

  'GET /tracks': { access: tenant('viewer', 'viewer') },
  'POST /tracks': { access: vendor('release-manager'), audit: 'track.create' },
  'GET /tracks/:id': { access: tenant('viewer', 'viewer') },
  'PATCH /tracks/:id': { access: vendor('release-manager'), audit: 'track.update' },
  'GET /tracks/:id/releases': { access: tenant('viewer', 'viewer') },
  'POST /tracks/:id/releases': { access: vendor('release-manager'), audit: 'release.create' },
  'GET /releases/:id': { access: tenant('viewer', 'viewer') },
  'PATCH /releases/:id': { access: vendor('release-manager'), audit: 'release.update' },
  'DELETE /releases/:id': { access: vendor('release-manager'), audit: 'release.delete' },
  'POST /releases/:id/lock': { access: vendor('release-manager'), audit: 'release.lock' },
  'POST /releases/:id/unlock': { access: vendor('release-manager'), audit: 'release.unlock' },
  'POST /releases/:id/hold': { access: vendor('release-manager'), audit: 'release.hold' },
  'POST /releases/:id/resume': { access: vendor('release-manager'), audit: 'release.resume' },
  'POST /releases/:id/rescind': { access: vendor('release-manager'), audit: 'release.rescind' },
  'POST /releases/:id/require': { access: vendor('release-manager'), audit: 'release.require' },
  'POST /releases/:id/unrequire': { access: vendor('release-manager'), audit: 'release.unrequire' },

  'GET /entitlements': { access: tenant('viewer', 'viewer') },
  'POST /entitlements': { access: vendor('admin'), audit: 'entitlement.create' },
  'PATCH /entitlements/:id': { access: vendor('admin'), audit: 'entitlement.update' },
  'DELETE /entitlements/:id': { access: vendor('admin'), audit: 'entitlement.delete' },
  // Signed licenses: the vendor's admins issue them; customers read their own and the public key.
  'GET /licenses': { access: tenant('viewer', 'viewer') },
  'POST /licenses': { access: vendor('admin'), audit: 'license.issue' },
  'GET /licenses/public-key': { access: tenant('viewer', 'viewer') },
  'GET /licenses/:id': { access: tenant('viewer', 'viewer') },
  'POST /licenses/:id/replace': { access: vendor('admin'), audit: 'license.replace' },
  'POST /licenses/:id/revoke': { access: vendor('admin'), audit: 'license.revoke' },
  // A public key is public: applications and their pipelines fetch it without an account.
  'GET /license-keys/:vendorId': { access: PUBLIC },
  'GET /installations/:id/updates': { access: tenant('viewer', 'viewer') },
  'GET /fleet/summary': { access: tenant('viewer', 'viewer') },

  'GET /rollouts': { access: tenant('viewer', 'viewer') },
  'POST /rollouts': { access: vendor('release-manager'), audit: 'rollout.create' },
  // Changes nothing, so audits nothing: the waves and left-out installations POST /rollouts would make.
  'POST /rollouts/preview': { access: vendor('release-manager') },
  'GET /rollouts/:id': { access: tenant('viewer', 'viewer') },
  'GET /rollouts/:id/timeline': { access: tenant('viewer', 'viewer') },
  'POST /rollouts/:id/pause': { access: vendor('release-manager'), audit: 'rollout.pause' },
  'POST /rollouts/:id/resume': { access: vendor('release-manager'), audit: 'rollout.resume' },
  'POST /rollouts/:id/abort': { access: vendor('release-manager'), audit: 'rollout.abort' },
  'POST /rollouts/:id/targets/:installationId/approve': { access: tenant('release-manager', 'admin'), audit: 'rollout.approve' },

  'GET /agent/install/:token': { access: PUBLIC },
  // The agent's HTTP polling fallback: authenticated by the agent's own credentials, no user.
  'GET /agent/state': { access: PUBLIC },
  'POST /agent/status': { access: PUBLIC },
  'POST /agent/progress': { access: PUBLIC },

  'GET /openapi.json': { access: PUBLIC },
} as const satisfies Record<string, RouteRule>;

export type RouteKey = keyof typeof ROUTES;
type KindOf<K extends RouteKey> = (typeof ROUTES)[K]['access']['kind'];
export type PublicRoute = { [K in RouteKey]: KindOf<K> extends 'public' ? K : never }[RouteKey];
export type UserRoute = { [K in RouteKey]: KindOf<K> extends 'user' ? K : never }[RouteKey];
export type OrgRoute = { [K in RouteKey]: KindOf<K> extends 'vendor' | 'tenant' ? K : never }[RouteKey];

/**
 * The roles that may call a route (an API token's scope is its role): sent with FORBIDDEN so
 * clients can say what is missing, and shown in the OpenAPI document.
 */
export function requiredRole(key: RouteKey): { vendorRole?: VendorRole; customerRole?: CustomerRole | null } {
  const access: Access = ROUTES[key].access;
  if (access.kind === 'vendor') return { vendorRole: access.vendor };
  if (access.kind === 'tenant') return { vendorRole: access.vendor, customerRole: access.customer };
  return {};
}

/** Who may use each `/live` room. */
export const LIVE_ROOMS = {
  'vendor:<id>': 'members of the vendor (any role)',
  'customer:<id>': 'members of the vendor, and members of that customer',
  'logs:<agent>:<follow>': 'the client that started the log follow (`logs:follow`)',
} as const;

/**
 * Who may ask `/live` for what (client → hub events, checked like routes). A live log tail makes
 * the agent work and shows what collected logs show: the same people as a collect-logs command.
 */
export const LIVE_ACTIONS = {
  'logs:follow': { access: tenant('release-manager', 'admin') },
} as const satisfies Record<string, RouteRule>;

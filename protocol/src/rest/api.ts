import { z } from 'zod';
import type { ErrorCode } from '../errors.js';
import { PageQuery } from '../common.js';
import { AgentPollResponse, CommandProgress, OkAck, StatusReport } from '../agent.js';
import { InstallationStatus } from '../live.js';
import { LoginBody, LoginResponse, MeResponse, SignupBody, SignupConfirmBody, SignupPending, SignupResponse } from './auth.js';
import { Branding, HostBrandingResponse, UpdateBrandingBody } from './branding.js';
import { IssueLicenseBody, License, LicenseList, LicensePublicKey, LicensesQuery, ReplaceLicenseBody } from './licenses.js';
import { NotificationPreferences, UpdateNotificationPreferencesBody } from './notifications.js';
import { AlertList, AlertRule, AlertRuleList, AlertsQuery, CreateAlertRuleBody, UpdateAlertRuleBody } from './alerts.js';
import { CreateWebhookBody, RotateWebhookSecretBody, UpdateWebhookBody, Webhook, WebhookDeliveriesQuery, WebhookDelivery, WebhookDeliveryPage, WebhookList, WebhookWithSecret } from './webhooks.js';
import { MetricsQuery, MetricsResponse } from './metrics.js';
import { CommandPage, CreateCommandBody, InstallationCommand, InstallationCommandDetail } from './commands.js';
import { CreateSupportBundleBody, RejectSupportBundleBody, SupportBundle, SupportBundleDetail, SupportBundleList, SupportBundlePolicy, UpdateSupportBundlePolicyBody } from '../support-bundles.js';
import { AcceptInviteBody, AuditPage, CreateInviteBody, CreateTokenBody, CreatedInvite, CreatedToken, Member, UpdateMemberBody } from './identity.js';
import {
  ApiTokenList,
  ApplicationPage,
  ApplicationVersionPage,
  AuditQuery,
  CustomerPage,
  EntitlementList,
  EntitlementsQuery,
  InstallationEventsQuery,
  InstallationPage,
  InstallationUpdates,
  InviteList,
  MemberList,
  ReleasePage,
  RemoveMemberQuery,
  RolloutPage,
  RolloutTimeline,
  RolloutTimelineQuery,
  SessionList,
  TrackPage,
} from './lists.js';
import {
  ApproveTargetBody,
  CreateEntitlementBody,
  CreateReleaseBody,
  CreateRolloutBody,
  CreateTrackBody,
  Entitlement,
  FleetSummary,
  Release,
  Rollout,
  RolloutPreview,
  Track,
  UpdateEntitlementBody,
  UpdateReleaseBody,
  UpdateTrackBody,
} from './releases.js';
import {
  AgentCredentials,
  Application,
  ApplicationVersion,
  CreateApplicationBody,
  CreateCustomerBody,
  CreateInstallationBody,
  CreateVersionBody,
  Customer,
  DeleteInstallationQuery,
  DeployBody,
  DeployResponse,
  Installation,
  InstallationConfig,
  InstallationEventsPage,
  PutInstallationConfigBody,
  UninstallResponse,
  UpdateApplicationBody,
  UpdateCustomerBody,
  UpdateInstallationBody,
  UpdateVersionBody,
  UptimeQuery,
  UptimeResponse,
} from './resources.js';

/**
 * One REST route's wire contract: what it takes and what it answers. Who may call it lives in the
 * hub's role matrix (same keys); the OpenAPI document and the SDK are generated from both.
 */
export interface RouteContract {
  operationId: string;
  tag: string;
  summary: string;
  description?: string;
  query?: z.ZodType;
  body?: z.ZodType;
  /** Success statuses and their bodies (`null`: no body, e.g. 204). */
  responses: Readonly<Record<number, z.ZodType | null>>;
  /** Errors beyond those the route's kind implies (validation, authentication, role, not found, rate limit). */
  errors?: readonly ErrorCode[];
  /** A valid request body, shown in the reference (a test parses each with `body`). */
  example?: unknown;
  /** A body that is not JSON (the agent install manifest). */
  contentType?: string;
  /** The agent's own HTTP routes authenticate with its credentials (HTTP Basic), not a user. */
  agentAuth?: boolean;
}

const LIFECYCLE = 'A transition the release lifecycle does not allow answers 409 CONFLICT saying why.';
const releaseAction = (operationId: string, summary: string) =>
  ({ operationId, tag: 'Releases', summary, description: LIFECYCLE, responses: { 200: Release }, errors: ['CONFLICT'] }) as const;
const rolloutAction = (operationId: string, summary: string) => ({ operationId, tag: 'Rollouts', summary, responses: { 200: Rollout }, errors: ['CONFLICT'] }) as const;

const COMPOSE_EXAMPLE = 'services:\n  web:\n    image: nginx:1.27\n';

/** Every REST route under `/api/v1`, keyed like the hub's role matrix (`METHOD /path/:param`). */
export const API = {
  'POST /auth/signup': {
    operationId: 'signup',
    tag: 'Auth',
    summary: 'Create a vendor and its first admin; signs in (session cookie). With SMTP: 202, finished from the link mailed to the address',
    body: SignupBody,
    responses: { 201: SignupResponse, 202: SignupPending },
    errors: ['CONFLICT', 'RATE_LIMITED', 'UNAVAILABLE'],
    example: { email: 'you@vendor.com', password: 'a long password', name: 'You', vendorName: 'Acme Software' },
  },
  'POST /auth/signup/confirm': {
    operationId: 'confirmSignup',
    tag: 'Auth',
    summary: 'Finish a sign-up from the token of its mailed link; creates the vendor and signs in',
    body: SignupConfirmBody,
    responses: { 201: SignupResponse },
    errors: ['NOT_FOUND', 'CONFLICT'],
    example: { token: 'q3W9xZ…' },
  },
  'POST /auth/login': {
    operationId: 'login',
    tag: 'Auth',
    summary: 'Sign in (sets the httpOnly session cookie)',
    body: LoginBody,
    responses: { 200: LoginResponse },
    errors: ['UNAUTHORIZED', 'RATE_LIMITED'],
    example: { email: 'you@vendor.com', password: 'a long password' },
  },
  'POST /auth/logout': { operationId: 'logout', tag: 'Auth', summary: 'End this session', responses: { 204: null } },
  'GET /me': { operationId: 'me', tag: 'Auth', summary: 'The signed-in user (or token owner) and their memberships', responses: { 200: MeResponse } },
  'GET /me/notification-preferences': {
    operationId: 'getNotificationPreferences',
    tag: 'Auth',
    summary: 'Your e-mail notification preferences (defaults until you change them)',
    description: 'Events are queued per user and mailed as one digest every NOTIFY_DIGEST_SECONDS. Vendor users: rollout paused/failed, approval given, installation offline (for `offlineMinutes`), alert firing/resolved. Customer users: update available, approval requested, maintenance scheduled — of their own installations only.',
    responses: { 200: NotificationPreferences },
  },
  'PUT /me/notification-preferences': {
    operationId: 'updateNotificationPreferences',
    tag: 'Auth',
    summary: 'Change your e-mail notification preferences (fields left out keep their value)',
    body: UpdateNotificationPreferencesBody,
    responses: { 200: NotificationPreferences },
    example: { email: true, events: ['rollout.failed', 'alert.firing'], offlineMinutes: 30 },
  },
  'GET /sessions': { operationId: 'listSessions', tag: 'Auth', summary: "Your sessions (which one is this one's)", responses: { 200: SessionList } },
  'DELETE /sessions/:id': { operationId: 'revokeSession', tag: 'Auth', summary: 'Revoke a session; its live sockets close at once', responses: { 204: null } },
  'GET /tokens': { operationId: 'listTokens', tag: 'Tokens', summary: 'Your API tokens (never the token itself)', responses: { 200: ApiTokenList } },
  'POST /tokens': {
    operationId: 'createToken',
    tag: 'Tokens',
    summary: 'Create an API token; the `flt_…` token is in this answer only',
    description: 'Its `role` is its scope (`viewer` reads, `release-manager` ships, `admin` administers), never above your own role.',
    body: CreateTokenBody,
    responses: { 201: CreatedToken },
    example: { name: 'ci', role: 'release-manager', expiresInDays: 90 },
  },
  'DELETE /tokens/:id': { operationId: 'revokeToken', tag: 'Tokens', summary: 'Revoke a token; its live sockets close at once', responses: { 204: null } },

  'GET /invites': { operationId: 'listInvites', tag: 'Members', summary: 'Open and past invites', responses: { 200: InviteList } },
  'POST /invites': {
    operationId: 'createInvite',
    tag: 'Members',
    summary: 'Invite someone (mailed when SMTP is set; the URL is returned either way)',
    body: CreateInviteBody,
    responses: { 201: CreatedInvite },
    errors: ['CONFLICT'],
    example: { email: 'ops@globex.com', role: 'admin', customerId: '7d9f0c8e-2b1a-4c3d-9e8f-0a1b2c3d4e5f' },
  },
  'DELETE /invites/:id': { operationId: 'revokeInvite', tag: 'Members', summary: 'Revoke an invite', responses: { 204: null } },
  'POST /invites/:token/accept': {
    operationId: 'acceptInvite',
    tag: 'Members',
    summary: 'Accept an invite (signs in)',
    body: AcceptInviteBody,
    responses: { 200: LoginResponse },
    errors: ['UNAUTHORIZED', 'CONFLICT', 'RATE_LIMITED'],
    example: { name: 'Olga Ops', password: 'another long password' },
  },
  'GET /users': { operationId: 'listMembers', tag: 'Members', summary: 'Members of your organisation', responses: { 200: MemberList } },
  'PATCH /users/:id': {
    operationId: 'updateMember',
    tag: 'Members',
    summary: "Change a member's role",
    body: UpdateMemberBody,
    responses: { 200: Member },
    errors: ['CONFLICT'],
    example: { role: 'viewer' },
  },
  'DELETE /users/:id': { operationId: 'removeMember', tag: 'Members', summary: 'Remove a member', query: RemoveMemberQuery, responses: { 204: null }, errors: ['CONFLICT'] },
  'GET /branding': { operationId: 'getBranding', tag: 'Branding', summary: "The vendor's branding and custom domains (customers read their vendor's)", responses: { 200: Branding } },
  'PATCH /branding': {
    operationId: 'updateBranding',
    tag: 'Branding',
    summary: 'Change the branding: name, colours, logo, favicon, mail identity, custom domains',
    description:
      'Colours must be readable on the portal (primary 4.5:1, accent 3:1, WCAG AA); images are PNG or SVG (SVG sanitised), base64. `null` clears a field; `domains` replaces the list. A domain of another vendor answers 409.',
    body: UpdateBrandingBody,
    responses: { 200: Branding },
    errors: ['CONFLICT'],
    example: { productName: 'Acme Cloud', primaryColor: '#7a143c', accentColor: '#b45309', emailSenderName: 'Acme Support', domains: ['portal.acme.com'] },
  },
  'GET /branding/host': { operationId: 'hostBranding', tag: 'Branding', summary: "The brand of the request's host (a vendor's custom domain), or null; no sign-in", responses: { 200: HostBrandingResponse } },
  'GET /branding/:vendorId/:image': {
    operationId: 'brandImage',
    tag: 'Branding',
    summary: "A vendor's logo or favicon (`:image` = logo | favicon), PNG or sanitised SVG; no sign-in",
    responses: { 200: z.string() },
    contentType: 'image/*',
  },
  'GET /audit': { operationId: 'listAudit', tag: 'Members', summary: 'The audit log, newest first', query: AuditQuery, responses: { 200: AuditPage } },

  'GET /webhooks': { operationId: 'listWebhooks', tag: 'Webhooks', summary: "Your organisation's webhook endpoints (vendor: the vendor's; customer: its own)", responses: { 200: WebhookList } },
  'POST /webhooks': {
    operationId: 'createWebhook',
    tag: 'Webhooks',
    summary: 'Create a webhook endpoint; its `whsec_…` signing secret is in this answer only',
    description:
      'Deliveries follow the Standard Webhooks spec: headers `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">` keyed with the base64-decoded secret after `whsec_`. `events` filters by type (empty: all). Loopback, private and link-local targets are refused unless the hub allows them.',
    body: CreateWebhookBody,
    responses: { 201: WebhookWithSecret },
    example: { url: 'https://hooks.example.com/flotilla', description: 'On-call', events: ['rollout.failed', 'installation.offline'] },
  },
  'GET /webhooks/:id': { operationId: 'getWebhook', tag: 'Webhooks', summary: 'A webhook endpoint', responses: { 200: Webhook } },
  'PATCH /webhooks/:id': {
    operationId: 'updateWebhook',
    tag: 'Webhooks',
    summary: 'Change URL, description or event filter; enable or disable',
    body: UpdateWebhookBody,
    responses: { 200: Webhook },
    example: { events: ['rollout.failed'], enabled: true },
  },
  'DELETE /webhooks/:id': { operationId: 'deleteWebhook', tag: 'Webhooks', summary: 'Delete a webhook endpoint and its delivery log', responses: { 204: null } },
  'POST /webhooks/:id/rotate-secret': {
    operationId: 'rotateWebhookSecret',
    tag: 'Webhooks',
    summary: 'New signing secret (shown once); the old one keeps signing beside it for `overlapHours` (default 24)',
    body: RotateWebhookSecretBody,
    responses: { 200: WebhookWithSecret },
    example: { overlapHours: 24 },
  },
  'POST /webhooks/:id/test': { operationId: 'testWebhook', tag: 'Webhooks', summary: 'Send a `webhook.test` message now (see the delivery log)', responses: { 202: WebhookDelivery }, errors: ['CONFLICT'] },
  'GET /webhooks/:id/deliveries': {
    operationId: 'listWebhookDeliveries',
    tag: 'Webhooks',
    summary: 'The delivery log, newest first: status, attempts, response status and excerpt, duration',
    query: WebhookDeliveriesQuery,
    responses: { 200: WebhookDeliveryPage },
  },
  'POST /webhooks/:id/deliveries/:deliveryId/redeliver': {
    operationId: 'redeliverWebhook',
    tag: 'Webhooks',
    summary: 'Send a logged message again (same `webhook-id`), one attempt',
    responses: { 202: WebhookDelivery },
    errors: ['CONFLICT'],
  },

  'GET /alert-rules': { operationId: 'listAlertRules', tag: 'Alerts', summary: "The vendor's alert rules", responses: { 200: AlertRuleList } },
  'POST /alert-rules': {
    operationId: 'createAlertRule',
    tag: 'Alerts',
    summary: 'Create an alert rule: offline or health failing longer than `threshold` minutes, `threshold` releases behind, or an outdated agent',
    description: 'Rules are evaluated every ALERT_EVALUATION_SECONDS; each alert that fires or resolves is an `alert.firing` / `alert.resolved` webhook and goes on the installation timeline, and users who subscribed (`/me/notification-preferences`) get it in their next e-mail digest.',
    body: CreateAlertRuleBody,
    responses: { 201: AlertRule },
    example: { name: 'Offline 15 min', kind: 'offline', threshold: 15 },
  },
  'PATCH /alert-rules/:id': { operationId: 'updateAlertRule', tag: 'Alerts', summary: 'Rename, change the threshold, enable or disable (disabling resolves its alerts)', body: UpdateAlertRuleBody, responses: { 200: AlertRule }, example: { threshold: 30 } },
  'DELETE /alert-rules/:id': { operationId: 'deleteAlertRule', tag: 'Alerts', summary: 'Delete an alert rule and its alerts', responses: { 204: null } },
  'GET /alerts': { operationId: 'listAlerts', tag: 'Alerts', summary: 'Alerts, newest first (default: firing); customers see their own installations’', query: AlertsQuery, responses: { 200: AlertList } },

  'GET /applications': { operationId: 'listApplications', tag: 'Applications', summary: 'Applications', query: PageQuery, responses: { 200: ApplicationPage } },
  'POST /applications': {
    operationId: 'createApplication',
    tag: 'Applications',
    summary: 'Create an application (compose or helm)',
    body: CreateApplicationBody,
    responses: { 201: Application },
    errors: ['CONFLICT'],
    example: { name: 'shop', kind: 'compose' },
  },
  'GET /applications/:id': { operationId: 'getApplication', tag: 'Applications', summary: 'An application', responses: { 200: Application } },
  'PATCH /applications/:id': {
    operationId: 'updateApplication',
    tag: 'Applications',
    summary: 'Rename or describe an application',
    body: UpdateApplicationBody,
    responses: { 200: Application },
    errors: ['CONFLICT'],
    example: { description: 'The web shop' },
  },
  'DELETE /applications/:id': { operationId: 'deleteApplication', tag: 'Applications', summary: 'Delete an application never deployed', responses: { 204: null }, errors: ['CONFLICT'] },
  'GET /applications/:id/versions': { operationId: 'listVersions', tag: 'Applications', summary: "An application's versions", query: PageQuery, responses: { 200: ApplicationVersionPage } },
  'POST /applications/:id/versions': {
    operationId: 'createVersion',
    tag: 'Applications',
    summary: 'Create an immutable version: a compose file, or a helm chart',
    description: 'A refused compose file or values YAML answers 400 with each problem in `details.issues` (`path`, `message`, `line`, `column`).',
    body: CreateVersionBody,
    responses: { 201: ApplicationVersion },
    errors: ['CONFLICT'],
    example: { version: '1.2.0', compose: { file: COMPOSE_EXAMPLE } },
  },
  'GET /applications/:id/versions/:vid': { operationId: 'getVersion', tag: 'Applications', summary: 'A version', responses: { 200: ApplicationVersion } },
  'PATCH /applications/:id/versions/:vid': {
    operationId: 'updateVersion',
    tag: 'Applications',
    summary: 'Edit notes, archive (`archived: true`) or restore a version',
    body: UpdateVersionBody,
    responses: { 200: ApplicationVersion },
    example: { archived: true },
  },
  'DELETE /applications/:id/versions/:vid': { operationId: 'deleteVersion', tag: 'Applications', summary: 'Delete a version never deployed nor pinned', responses: { 204: null }, errors: ['CONFLICT'] },

  'GET /customers': { operationId: 'listCustomers', tag: 'Customers', summary: 'Customers', query: PageQuery, responses: { 200: CustomerPage } },
  'POST /customers': { operationId: 'createCustomer', tag: 'Customers', summary: 'Create a customer', body: CreateCustomerBody, responses: { 201: Customer }, errors: ['CONFLICT'], example: { name: 'Globex' } },
  'GET /customers/:id': { operationId: 'getCustomer', tag: 'Customers', summary: 'A customer', responses: { 200: Customer } },
  'PATCH /customers/:id': {
    operationId: 'updateCustomer',
    tag: 'Customers',
    summary: "Rename a customer, or set its self-service limits (maximum installations, allowed environments)",
    description: "The limits bind the customer's own admins when they create or change installations; `null` lifts a limit.",
    body: UpdateCustomerBody,
    responses: { 200: Customer },
    errors: ['CONFLICT'],
    example: { name: 'Globex Corp', maxInstallations: 3, allowedEnvironments: ['production', 'staging'] },
  },
  'DELETE /customers/:id': { operationId: 'deleteCustomer', tag: 'Customers', summary: 'Delete a customer', responses: { 204: null }, errors: ['CONFLICT'] },

  'GET /installations': { operationId: 'listInstallations', tag: 'Installations', summary: 'Installations with their live status', query: PageQuery, responses: { 200: InstallationPage } },
  'POST /installations': {
    operationId: 'createInstallation',
    tag: 'Installations',
    summary: 'Create an installation for a customer (customer admins: for their own, within its limits)',
    description: "A customer admin's installation counts against the customer's `maxInstallations` (409 when reached) and its environment must be one of `allowedEnvironments` (400).",
    body: CreateInstallationBody,
    responses: { 201: Installation },
    errors: ['CONFLICT'],
    example: { customerId: '7d9f0c8e-2b1a-4c3d-9e8f-0a1b2c3d4e5f', name: 'main', environment: 'production', agentKind: 'compose' },
  },
  'GET /installations/:id': { operationId: 'getInstallation', tag: 'Installations', summary: 'An installation', responses: { 200: Installation } },
  'PATCH /installations/:id': {
    operationId: 'updateInstallation',
    tag: 'Installations',
    summary: 'Change name, environment, track, maintenance windows or helm values',
    body: UpdateInstallationBody,
    responses: { 200: Installation },
    errors: ['CONFLICT'],
    example: { trackId: '3c2b1a09-8f7e-4d6c-b5a4-392817161514', maintenanceWindows: [{ days: ['sat'], start: '02:00', end: '06:00', timeZone: 'Europe/Berlin' }] },
  },
  'DELETE /installations/:id': {
    operationId: 'deleteInstallation',
    tag: 'Installations',
    summary: 'Delete at once (204), or `?uninstall=true`: the agent removes its workloads first (202)',
    query: DeleteInstallationQuery,
    responses: { 202: UninstallResponse, 204: null },
    errors: ['CONFLICT'],
  },
  'POST /installations/:id/agent-credentials': {
    operationId: 'issueAgentCredentials',
    tag: 'Installations',
    summary: "Issue (or rotate) the agent's credentials and install command; the secret is shown once",
    responses: { 201: AgentCredentials },
  },
  'POST /installations/:id/deploy': {
    operationId: 'deploy',
    tag: 'Installations',
    summary: 'Deploy an application version or a release to one installation',
    description:
      'A release past required releases the installation has not run (counted from the release it runs, as applied) steps through them: the deploy becomes a one-installation rollout that runs each required release, healthy, then this one, and answers 202 with `rolloutId` and `steps` (each required release, then the target). Each step must be deployable (not on hold: 409 CONFLICT) and, for a customer user, entitled (409 CONFLICT naming it). While such a stepping rollout of the installation is unfinished, another deploy answers 409 CONFLICT naming it. A release below a required release it runs answers 409 BELOW_REQUIRED_RELEASE.',
    body: DeployBody,
    responses: { 202: DeployResponse },
    errors: ['CONFLICT', 'BELOW_REQUIRED_RELEASE'],
    example: { releaseId: '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0' },
  },
  'GET /installations/:id/status': { operationId: 'getInstallationStatus', tag: 'Installations', summary: 'Online, revisions, health and versions per component', responses: { 200: InstallationStatus } },
  'GET /installations/:id/uptime': { operationId: 'getUptime', tag: 'Installations', summary: 'Uptime bar and totals over 24h, 7d or 30d', query: UptimeQuery, responses: { 200: UptimeResponse } },
  'GET /installations/:id/metrics': { operationId: 'getMetrics', tag: 'Installations', summary: 'Host and component CPU, memory, disk and restarts over 1h, 24h, 7d or 30d', query: MetricsQuery, responses: { 200: MetricsResponse } },
  'GET /installations/:id/events': {
    operationId: 'listInstallationEvents',
    tag: 'Installations',
    summary: "The installation's timeline, newest first",
    query: InstallationEventsQuery,
    responses: { 200: InstallationEventsPage },
  },
  'POST /installations/:id/commands': {
    operationId: 'sendCommand',
    tag: 'Commands',
    summary: "Send the installation's agent a command",
    body: CreateCommandBody,
    responses: { 202: InstallationCommand },
    errors: ['CONFLICT'],
    example: { type: 'restart', targets: ['web'] },
  },
  'GET /installations/:id/commands': { operationId: 'listCommands', tag: 'Commands', summary: 'Commands sent to the agent, newest first', query: PageQuery, responses: { 200: CommandPage } },
  'GET /installations/:id/commands/:commandId': { operationId: 'getCommand', tag: 'Commands', summary: 'A command, with collected logs', responses: { 200: InstallationCommandDetail } },

  'POST /installations/:id/support-bundles': {
    operationId: 'requestSupportBundle',
    tag: 'Support bundles',
    summary: "Ask the installation's agent for a support bundle (state, runtime facts, last log lines, host facts; redacted)",
    description:
      'Answers 202 with the bundle: `collecting`, or `awaiting-approval` when the customer requires its admins to approve bundles asked by the vendor. Follow it with `GET /support-bundles/:id` or the `support-bundle:changed` live event.',
    body: CreateSupportBundleBody,
    responses: { 202: SupportBundle },
    errors: ['CONFLICT'],
    example: { logLines: 500 },
  },
  'GET /installations/:id/support-bundles': { operationId: 'listSupportBundles', tag: 'Support bundles', summary: "The installation's support bundles, newest first", responses: { 200: SupportBundleList } },
  'GET /support-bundles/:id': { operationId: 'getSupportBundle', tag: 'Support bundles', summary: 'A support bundle, with its manifest: exactly what was collected', responses: { 200: SupportBundleDetail } },
  'GET /support-bundles/:id/download': {
    operationId: 'downloadSupportBundle',
    tag: 'Support bundles',
    summary: 'The bundle archive (.tar.gz) once it is ready',
    responses: { 200: z.string() },
    errors: ['CONFLICT'],
    contentType: 'application/gzip',
  },
  'POST /support-bundles/:id/approve': {
    operationId: 'approveSupportBundle',
    tag: 'Support bundles',
    summary: "Approve a bundle awaiting the customer's approval (customer admins); the agent starts collecting",
    responses: { 200: SupportBundle },
    errors: ['CONFLICT'],
  },
  'POST /support-bundles/:id/reject': {
    operationId: 'rejectSupportBundle',
    tag: 'Support bundles',
    summary: "Refuse a bundle awaiting the customer's approval (customer admins); nothing is collected",
    body: RejectSupportBundleBody,
    responses: { 200: SupportBundle },
    errors: ['CONFLICT'],
    example: { reason: 'Not during the audit' },
  },
  'GET /customers/:id/support-bundle-policy': { operationId: 'getSupportBundlePolicy', tag: 'Support bundles', summary: "Whether the customer's admins approve each support bundle first", responses: { 200: SupportBundlePolicy } },
  'PUT /customers/:id/support-bundle-policy': {
    operationId: 'setSupportBundlePolicy',
    tag: 'Support bundles',
    summary: "Require (or stop requiring) the customer's approval before a support bundle is collected (customer admins)",
    body: UpdateSupportBundlePolicyBody,
    responses: { 200: SupportBundlePolicy },
    example: { requireApproval: true },
  },

  'GET /tracks': { operationId: 'listTracks', tag: 'Releases', summary: 'Release tracks (customers: those they are entitled to)', responses: { 200: TrackPage } },
  'POST /tracks': {
    operationId: 'createTrack',
    tag: 'Releases',
    summary: 'Create a release track',
    body: CreateTrackBody,
    responses: { 201: Track },
    errors: ['CONFLICT'],
    example: { name: 'Shop', applicationIds: ['5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e'] },
  },
  'GET /tracks/:id': { operationId: 'getTrack', tag: 'Releases', summary: 'A track', responses: { 200: Track } },
  'PATCH /tracks/:id': { operationId: 'updateTrack', tag: 'Releases', summary: 'Change a track', body: UpdateTrackBody, responses: { 200: Track }, errors: ['CONFLICT'], example: { name: 'Shop Platform' } },
  'GET /tracks/:id/releases': { operationId: 'listReleases', tag: 'Releases', summary: "A track's releases, newest first", responses: { 200: ReleasePage } },
  'POST /tracks/:id/releases': {
    operationId: 'createRelease',
    tag: 'Releases',
    summary: 'Create a draft release: components in stages (release order)',
    body: CreateReleaseBody,
    responses: { 201: Release },
    errors: ['CONFLICT'],
    example: {
      version: '1.2.0',
      notes: 'Faster checkout',
      stages: [[{ applicationId: '5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e', versionId: '6c7d8e9f-0a1b-4c2d-9e3f-4a5b6c7d8e9f' }]],
      checklist: ['Migration tested'],
    },
  },
  'GET /releases/:id': { operationId: 'getRelease', tag: 'Releases', summary: 'A release', responses: { 200: Release } },
  'PATCH /releases/:id': {
    operationId: 'updateRelease',
    tag: 'Releases',
    summary: 'Change a draft release (notes and checklist ticks also later)',
    body: UpdateReleaseBody,
    responses: { 200: Release },
    errors: ['CONFLICT'],
    example: { notes: 'Faster checkout; fixes #42' },
  },
  'DELETE /releases/:id': { operationId: 'deleteRelease', tag: 'Releases', summary: 'Delete a release never deployed (or rescinded)', responses: { 204: null }, errors: ['CONFLICT'] },
  'POST /releases/:id/lock': releaseAction('lockRelease', 'draft → ready (every component pinned, checklist ticked)'),
  'POST /releases/:id/unlock': releaseAction('unlockRelease', 'ready → draft (never deployed), or hold'),
  'POST /releases/:id/hold': releaseAction('holdRelease', 'Hold: no new rollouts; running ones start no new installations'),
  'POST /releases/:id/resume': releaseAction('resumeRelease', 'hold → ready'),
  'POST /releases/:id/rescind': releaseAction('rescindRelease', 'Withdraw a deployed release for good'),
  'POST /releases/:id/require': releaseAction('requireRelease', 'Mark required: installations behind it get it first, rollbacks never go below it'),
  'POST /releases/:id/unrequire': releaseAction('unrequireRelease', 'No longer required'),

  'GET /entitlements': { operationId: 'listEntitlements', tag: 'Releases', summary: 'Which tracks (and versions, until when) customers may install', query: EntitlementsQuery, responses: { 200: EntitlementList } },
  'POST /entitlements': {
    operationId: 'createEntitlement',
    tag: 'Releases',
    summary: 'Entitle a customer to a track',
    body: CreateEntitlementBody,
    responses: { 201: Entitlement },
    errors: ['CONFLICT'],
    example: { customerId: '7d9f0c8e-2b1a-4c3d-9e8f-0a1b2c3d4e5f', trackId: '3c2b1a09-8f7e-4d6c-b5a4-392817161514', versionRange: '>=1.0.0 <3.0.0' },
  },
  'PATCH /entitlements/:id': { operationId: 'updateEntitlement', tag: 'Releases', summary: 'Change an entitlement', body: UpdateEntitlementBody, responses: { 200: Entitlement }, example: { expiresAt: '2027-12-31T23:59:59Z' } },
  'DELETE /entitlements/:id': { operationId: 'deleteEntitlement', tag: 'Releases', summary: 'Remove an entitlement', responses: { 204: null } },
  'GET /licenses': { operationId: 'listLicenses', tag: 'Licenses', summary: "Signed licenses, newest first (customers: their own)", query: LicensesQuery, responses: { 200: LicenseList } },
  'POST /licenses': {
    operationId: 'issueLicense',
    tag: 'Licenses',
    summary: "Issue a customer's signed license (Ed25519); its agents receive it at once",
    description:
      'The license is `base64url(payload JSON).base64url(signature)`, signed over the first part; the payload copies the customer\'s entitlements. A customer has one active license: a second answers 409 (replace it instead).',
    body: IssueLicenseBody,
    responses: { 201: License },
    errors: ['CONFLICT'],
    example: { customerId: '7d9f0c8e-2b1a-4c3d-9e8f-0a1b2c3d4e5f', expiresAt: '2027-12-31T23:59:59Z', onExpiry: 'block-updates', maxInstallations: 3, customFields: { seats: 50, plan: 'enterprise' } },
  },
  'GET /licenses/public-key': { operationId: 'licensePublicKey', tag: 'Licenses', summary: "The vendor's Ed25519 public key that verifies its licenses (made on first use)", responses: { 200: LicensePublicKey } },
  'GET /licenses/:id': { operationId: 'getLicense', tag: 'Licenses', summary: 'A license', responses: { 200: License } },
  'POST /licenses/:id/replace': {
    operationId: 'replaceLicense',
    tag: 'Licenses',
    summary: 'Issue a new license in place of an active one (unchanged terms kept); agents receive it at once',
    body: ReplaceLicenseBody,
    responses: { 201: License },
    errors: ['CONFLICT'],
    example: { expiresAt: '2028-12-31T23:59:59Z' },
  },
  'POST /licenses/:id/revoke': { operationId: 'revokeLicense', tag: 'Licenses', summary: "Revoke an active license; the customer's agents remove it", responses: { 200: License }, errors: ['CONFLICT'] },
  'GET /license-keys/:vendorId': { operationId: 'vendorLicenseKey', tag: 'Licenses', summary: "A vendor's license public key, no sign-in (for applications and their build pipelines)", responses: { 200: LicensePublicKey } },
  'GET /installations/:id/config': {
    operationId: 'getInstallationConfig',
    tag: 'Installations',
    summary: 'Per-component configuration: environment values, secret names (never values), helm values override',
    responses: { 200: InstallationConfig },
  },
  'PUT /installations/:id/config': {
    operationId: 'putInstallationConfig',
    tag: 'Installations',
    summary: 'Set environment values, secrets (write-only) and helm values overrides; applies from the next deploy or rollout stage',
    description: 'Per component named: `env` replaces its environment values; a secret set to a string is set, to null removed, and secrets not named are kept. `helmValues` (helm installations) is a YAML mapping, null removes it. Environment values and secrets apply to compose installations only. Secrets are sealed at rest and sent only to the agent; a hub without SECRETS_KEY refuses them (409).',
    body: PutInstallationConfigBody,
    responses: { 200: InstallationConfig },
    errors: ['CONFLICT'],
    example: { components: { api: { env: { LOG_LEVEL: 'info' }, secrets: { DB_PASSWORD: 's3cret' } } } },
  },
  'GET /installations/:id/updates': { operationId: 'listInstallationUpdates', tag: 'Installations', summary: 'Newer releases its customer may install', responses: { 200: InstallationUpdates } },
  'GET /fleet/summary': { operationId: 'fleetSummary', tag: 'Fleet', summary: 'Counts by health and version, drift from the latest release', responses: { 200: FleetSummary } },

  'GET /rollouts': { operationId: 'listRollouts', tag: 'Rollouts', summary: 'Rollouts, newest first', responses: { 200: RolloutPage } },
  'POST /rollouts': {
    operationId: 'createRollout',
    tag: 'Rollouts',
    summary: 'Take a ready release to installations in waves',
    description: 'An installation behind a required release runs it first (each required release deployed and healthy, then the next, then this release). A named installation that would go back below a required release it runs answers 409 BELOW_REQUIRED_RELEASE.',
    body: CreateRolloutBody,
    responses: { 201: Rollout },
    errors: ['CONFLICT', 'BELOW_REQUIRED_RELEASE'],
    example: {
      releaseId: '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0',
      targets: { all: true },
      strategy: { waves: [{ count: 1 }, { percent: 25 }, { percent: 100 }], maxParallel: 10, soakSeconds: 300 },
    },
  },
  'POST /rollouts/preview': {
    operationId: 'previewRollout',
    tag: 'Rollouts',
    summary: 'The waves a rollout would form, and who it would leave out; creates nothing',
    body: CreateRolloutBody,
    responses: { 200: RolloutPreview },
    errors: ['CONFLICT'],
    example: { releaseId: '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0', targets: { all: true } },
  },
  'GET /rollouts/:id': { operationId: 'getRollout', tag: 'Rollouts', summary: 'A rollout with its waves and every target', responses: { 200: Rollout } },
  'GET /rollouts/:id/timeline': {
    operationId: 'getRolloutTimeline',
    tag: 'Rollouts',
    summary: "The rollout's persisted history, oldest first (`?after=<id>`: what a follower has not seen)",
    query: RolloutTimelineQuery,
    responses: { 200: RolloutTimeline },
  },
  'POST /rollouts/:id/pause': rolloutAction('pauseRollout', 'Pause'),
  'POST /rollouts/:id/resume': rolloutAction('resumeRollout', 'Resume'),
  'POST /rollouts/:id/abort': rolloutAction('abortRollout', 'Abort'),
  'POST /rollouts/:id/targets/:installationId/approve': {
    operationId: 'approveTarget',
    tag: 'Rollouts',
    summary: "Approve one installation's update (now, or `at` a later time)",
    body: ApproveTargetBody,
    responses: { 200: Rollout },
    example: { at: '2026-12-24T02:00:00Z' },
  },

  'GET /agent/install/:token': {
    operationId: 'agentInstallManifest',
    tag: 'Agents',
    summary: "The agent's install manifest (compose file or Kubernetes manifest); the token is single-use",
    responses: { 200: z.string() },
    contentType: 'application/yaml',
  },
  'GET /agent/state': {
    operationId: 'agentPoll',
    tag: 'Agents',
    summary: "Agent polling fallback: the desired state and pending commands (the agent's credentials as HTTP Basic)",
    responses: { 200: AgentPollResponse },
    agentAuth: true,
  },
  'POST /agent/status': { operationId: 'agentStatus', tag: 'Agents', summary: 'Agent polling fallback: a status report', body: StatusReport, responses: { 200: OkAck }, agentAuth: true },
  'POST /agent/progress': { operationId: 'agentProgress', tag: 'Agents', summary: "Agent polling fallback: a command's progress", body: CommandProgress, responses: { 200: OkAck }, agentAuth: true },

  'GET /openapi.json': {
    operationId: 'openApiDocument',
    tag: 'Meta',
    summary: 'This document: OpenAPI 3.1 of every route (the reference page is `/api/docs`)',
    responses: { 200: z.record(z.string(), z.unknown()) },
  },
} as const satisfies Record<string, RouteContract>;

export type ApiRouteKey = keyof typeof API;

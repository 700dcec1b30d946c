import { z } from 'zod';
import { PageQuery } from '../common.js';
import { InstallationStatus } from '../live.js';
import { MetricsQuery, MetricsResponse } from './metrics.js';
import { CommandPage, CreateCommandBody, InstallationCommand, InstallationCommandDetail } from './commands.js';
import {
  CreateSupportBundleBody,
  RejectSupportBundleBody,
  SupportBundle,
  SupportBundleDetail,
  SupportBundleList,
  SupportBundlePolicy,
  UpdateSupportBundlePolicyBody,
} from '../support-bundles.js';
import { InstallationEventsQuery, InstallationPage } from './lists.js';
import {
  AgentCredentials,
  CreateInstallationBody,
  DeleteInstallationQuery,
  DeployBody,
  DeployResponse,
  Installation,
  InstallationEventsPage,
  UninstallResponse,
  UpdateInstallationBody,
  UptimeQuery,
  UptimeResponse,
} from './resources.js';
import type { RouteContract } from './route-contract.js';

/** Installations: their agents, configuration, deploys, commands, events, uptime, metrics, support bundles. */
export const INSTALLATION_ROUTES = {
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
} as const satisfies Record<string, RouteContract>;

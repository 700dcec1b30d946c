import type { CreateInstallationBody, DeployBody, MetricsWindow, PutInstallationConfigBody, UpdateInstallationBody, UptimeWindow } from '@flotilla/protocol';
import { hub } from './hub';

/** Items per page when the portal reads a whole list (the hub's largest page). */
export const PAGE_LIMIT = 200;

const at = (id: string) => ({ params: { id } });

export const installationsApi = {
  all: () => hub.all('GET /installations', { query: { limit: PAGE_LIMIT } }),
  get: (installationId: string) => hub.request('GET /installations/:id', at(installationId)),
  create: (body: CreateInstallationBody) => hub.request('POST /installations', { body }),
  update: (installationId: string, body: UpdateInstallationBody) => hub.request('PATCH /installations/:id', { ...at(installationId), body }),
  /** `uninstall`: 202 with the uninstall command sent to the agent; otherwise removed at once (204). */
  remove: (installationId: string, uninstall: boolean) =>
    hub.request('DELETE /installations/:id', { ...at(installationId), query: uninstall ? { uninstall: 'true' } : {} }),
  /** New agent id and secret (rotation disconnects the old agent at once) and a single-use install link. */
  agentCredentials: (installationId: string) => hub.request('POST /installations/:id/agent-credentials', at(installationId)),
  /** `{versionId}` (vendor users) or `{releaseId}`: a new desired revision, pushed to the agent. */
  deploy: (installationId: string, body: DeployBody) => hub.request('POST /installations/:id/deploy', { ...at(installationId), body }),
  /** Per component: environment values, secret names (never values), helm values override. */
  config: (installationId: string) => hub.request('GET /installations/:id/config', at(installationId)),
  /** Secrets are write-only: a string sets one, null removes it, one not named is kept. */
  putConfig: (installationId: string, body: PutInstallationConfigBody) => hub.request('PUT /installations/:id/config', { ...at(installationId), body }),
  uptime: (installationId: string, window: UptimeWindow) => hub.request('GET /installations/:id/uptime', { ...at(installationId), query: { window } }),
  metrics: (installationId: string, window: MetricsWindow) => hub.request('GET /installations/:id/metrics', { ...at(installationId), query: { window } }),
  /** Newest first; `before` = the previous page's `nextBefore`. */
  events: (installationId: string, limit: number, before?: number) => hub.request('GET /installations/:id/events', { ...at(installationId), query: { limit, before } }),
};

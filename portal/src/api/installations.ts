import type { AgentCredentials, CreateInstallationBody, DeployBody, DeployResponse, Installation, UninstallResponse, UpdateInstallationBody, InstallationEventsPage, MetricsResponse, MetricsWindow, UptimeResponse, UptimeWindow } from '@flotilla/protocol';
import { query, request } from './client';

export interface PageOf<T> {
  items: T[];
  nextCursor: string | null;
}

/** Upper bound on pages followed, so a hub bug (a cursor that never ends) cannot hang the page. */
const MAX_PAGES = 1000;

/** Follows `nextCursor` until it is null and returns every item. */
export async function fetchAllPages<T>(fetchPage: (cursor: string | undefined) => Promise<PageOf<T>>): Promise<T[]> {
  const all: T[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const res = await fetchPage(cursor);
    all.push(...res.items);
    if (res.nextCursor === null || res.nextCursor === cursor) return all;
    cursor = res.nextCursor;
  }
  return all;
}

export const PAGE_LIMIT = 200;

const id = (value: string) => encodeURIComponent(value);

export const installationsApi = {
  page: (cursor?: string) => request<PageOf<Installation>>('GET', `/installations${query({ limit: PAGE_LIMIT, cursor })}`),
  all: () => fetchAllPages<Installation>((cursor) => installationsApi.page(cursor)),
  get: (installationId: string) => request<Installation>('GET', `/installations/${id(installationId)}`),
  create: (body: CreateInstallationBody) => request<Installation>('POST', '/installations', body),
  update: (installationId: string, body: UpdateInstallationBody) => request<Installation>('PATCH', `/installations/${id(installationId)}`, body),
  /** `uninstall`: 202 with the uninstall command sent to the agent; otherwise removed at once (204). */
  remove: (installationId: string, uninstall: boolean) =>
    request<UninstallResponse | undefined>('DELETE', `/installations/${id(installationId)}${uninstall ? query({ uninstall: 'true' }) : ''}`),
  /** New agent id and secret (rotation disconnects the old agent at once) and a single-use install link. */
  agentCredentials: (installationId: string) => request<AgentCredentials>('POST', `/installations/${id(installationId)}/agent-credentials`),
  /** `{versionId}` (vendor users) or `{releaseId}`: a new desired revision, pushed to the agent. */
  deploy: (installationId: string, body: DeployBody) => request<DeployResponse>('POST', `/installations/${id(installationId)}/deploy`, body),
  uptime: (installationId: string, window: UptimeWindow) => request<UptimeResponse>('GET', `/installations/${id(installationId)}/uptime${query({ window })}`),
  metrics: (installationId: string, window: MetricsWindow) => request<MetricsResponse>('GET', `/installations/${id(installationId)}/metrics${query({ window })}`),
  /** Newest first; `before` = the previous page's `nextBefore`. */
  events: (installationId: string, limit: number, before?: number) =>
    request<InstallationEventsPage>('GET', `/installations/${id(installationId)}/events${query({ limit, before })}`),
};

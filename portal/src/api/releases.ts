import type {
  Application,
  ApplicationVersion,
  CreateEntitlementBody,
  CreateReleaseBody,
  CreateApplicationBody,
  CreateTrackBody,
  CreateVersionBody,
  Customer,
  DeployResponse,
  Entitlement,
  FleetSummary,
  InstallationUpdates,
  Release,
  Track,
  UpdateApplicationBody,
  UpdateReleaseBody,
  UpdateTrackBody,
  UpdateVersionBody,
} from '@flotilla/protocol';
import { query, request } from './client';
import { PAGE_LIMIT, fetchAllPages, type PageOf } from './installations';

interface ItemsOf<T> {
  items: T[];
}

const id = (value: string) => encodeURIComponent(value);

export const applicationsApi = {
  /** Vendor users only. */
  all: () => fetchAllPages<Application>((cursor) => request<PageOf<Application>>('GET', `/applications${query({ limit: PAGE_LIMIT, cursor })}`)),
  versions: (applicationId: string) =>
    fetchAllPages<ApplicationVersion>((cursor) => request<PageOf<ApplicationVersion>>('GET', `/applications/${id(applicationId)}/versions${query({ limit: PAGE_LIMIT, cursor })}`)),
  get: (applicationId: string) => request<Application>('GET', `/applications/${id(applicationId)}`),
  create: (body: CreateApplicationBody) => request<Application>('POST', '/applications', body),
  update: (applicationId: string, body: UpdateApplicationBody) => request<Application>('PATCH', `/applications/${id(applicationId)}`, body),
  /** 409 while it is deployed to installations (the message says so). */
  remove: (applicationId: string) => request<undefined>('DELETE', `/applications/${id(applicationId)}`),
  createVersion: (applicationId: string, body: CreateVersionBody) => request<ApplicationVersion>('POST', `/applications/${id(applicationId)}/versions`, body),
  /** `{archived: true}` archives, `{archived: false}` restores; `{notes}` edits the notes. */
  updateVersion: (applicationId: string, versionId: string, body: UpdateVersionBody) =>
    request<ApplicationVersion>('PATCH', `/applications/${id(applicationId)}/versions/${id(versionId)}`, body),
  /** Only a version never deployed nor pinned (`inUse: false`); else 409. */
  removeVersion: (applicationId: string, versionId: string) => request<undefined>('DELETE', `/applications/${id(applicationId)}/versions/${id(versionId)}`),
};

export const tracksApi = {
  /** Vendor users: every track; customer users: the tracks they are entitled to. */
  list: async () => (await request<ItemsOf<Track>>('GET', '/tracks')).items,
  get: (trackId: string) => request<Track>('GET', `/tracks/${id(trackId)}`),
  create: (body: CreateTrackBody) => request<Track>('POST', '/tracks', body),
  update: (trackId: string, body: UpdateTrackBody) => request<Track>('PATCH', `/tracks/${id(trackId)}`, body),
  /** Newest first. Customer users see only ready releases in their entitlement's range. */
  releases: async (trackId: string) => (await request<ItemsOf<Release>>('GET', `/tracks/${id(trackId)}/releases`)).items,
  createRelease: (trackId: string, body: CreateReleaseBody) => request<Release>('POST', `/tracks/${id(trackId)}/releases`, body),
};

export type LifecycleAction = 'lock' | 'unlock' | 'hold' | 'resume' | 'rescind';

export const releasesApi = {
  get: (releaseId: string) => request<Release>('GET', `/releases/${id(releaseId)}`),
  update: (releaseId: string, body: UpdateReleaseBody) => request<Release>('PATCH', `/releases/${id(releaseId)}`, body),
  remove: (releaseId: string) => request<undefined>('DELETE', `/releases/${id(releaseId)}`),
  /** An illegal transition answers 409 CONFLICT whose message says why. */
  act: (releaseId: string, action: LifecycleAction) => request<Release>('POST', `/releases/${id(releaseId)}/${action}`),
  /** Required: installations behind it get it first; rollbacks never go below it. */
  setRequired: (releaseId: string, required: boolean) => request<Release>('POST', `/releases/${id(releaseId)}/${required ? 'require' : 'unrequire'}`),
};

export const entitlementsApi = {
  list: async (customerId?: string) => (await request<ItemsOf<Entitlement>>('GET', `/entitlements${query({ customerId })}`)).items,
  create: (body: CreateEntitlementBody) => request<Entitlement>('POST', '/entitlements', body),
  remove: (entitlementId: string) => request<undefined>('DELETE', `/entitlements/${id(entitlementId)}`),
};

export type { InstallationUpdates };

export const updatesApi = {
  forInstallation: (installationId: string) => request<InstallationUpdates>('GET', `/installations/${id(installationId)}/updates`),
  install: (installationId: string, releaseId: string) => request<DeployResponse>('POST', `/installations/${id(installationId)}/deploy`, { releaseId }),
};

export const fleetApi = {
  summary: () => request<FleetSummary>('GET', '/fleet/summary'),
};

export const customerApi = {
  get: (customerId: string) => request<Customer>('GET', `/customers/${id(customerId)}`),
};

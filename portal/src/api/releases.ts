import type {
  CreateApplicationBody,
  CreateEntitlementBody,
  CreateReleaseBody,
  CreateTrackBody,
  CreateVersionBody,
  UpdateApplicationBody,
  UpdateReleaseBody,
  UpdateTrackBody,
  UpdateVersionBody,
} from '@flotilla/protocol';
import { hub } from './hub';
import { PAGE_LIMIT } from './installations';

export type { InstallationUpdates } from '@flotilla/protocol';

const at = (id: string) => ({ params: { id } });
const version = (id: string, vid: string) => ({ params: { id, vid } });

export const applicationsApi = {
  /** Vendor users only. */
  all: () => hub.all('GET /applications', { query: { limit: PAGE_LIMIT } }),
  versions: (applicationId: string) => hub.all('GET /applications/:id/versions', { ...at(applicationId), query: { limit: PAGE_LIMIT } }),
  get: (applicationId: string) => hub.request('GET /applications/:id', at(applicationId)),
  create: (body: CreateApplicationBody) => hub.request('POST /applications', { body }),
  update: (applicationId: string, body: UpdateApplicationBody) => hub.request('PATCH /applications/:id', { ...at(applicationId), body }),
  /** 409 while it is deployed to installations (the message says so). */
  remove: (applicationId: string) => hub.request('DELETE /applications/:id', at(applicationId)),
  createVersion: (applicationId: string, body: CreateVersionBody) => hub.request('POST /applications/:id/versions', { ...at(applicationId), body }),
  /** `{archived: true}` archives, `{archived: false}` restores; `{notes}` edits the notes. */
  updateVersion: (applicationId: string, versionId: string, body: UpdateVersionBody) =>
    hub.request('PATCH /applications/:id/versions/:vid', { ...version(applicationId, versionId), body }),
  /** Only a version never deployed nor pinned (`inUse: false`); else 409. */
  removeVersion: (applicationId: string, versionId: string) => hub.request('DELETE /applications/:id/versions/:vid', version(applicationId, versionId)),
};

export const tracksApi = {
  /** Vendor users: every track; customer users: the tracks they are entitled to. */
  list: async () => (await hub.request('GET /tracks')).items,
  get: (trackId: string) => hub.request('GET /tracks/:id', at(trackId)),
  create: (body: CreateTrackBody) => hub.request('POST /tracks', { body }),
  update: (trackId: string, body: UpdateTrackBody) => hub.request('PATCH /tracks/:id', { ...at(trackId), body }),
  /** Newest first. Customer users see only ready releases in their entitlement's range. */
  releases: async (trackId: string) => (await hub.request('GET /tracks/:id/releases', at(trackId))).items,
  createRelease: (trackId: string, body: CreateReleaseBody) => hub.request('POST /tracks/:id/releases', { ...at(trackId), body }),
};

export type LifecycleAction = 'lock' | 'unlock' | 'hold' | 'resume' | 'rescind';

export const releasesApi = {
  get: (releaseId: string) => hub.request('GET /releases/:id', at(releaseId)),
  update: (releaseId: string, body: UpdateReleaseBody) => hub.request('PATCH /releases/:id', { ...at(releaseId), body }),
  remove: (releaseId: string) => hub.request('DELETE /releases/:id', at(releaseId)),
  /** An illegal transition answers 409 CONFLICT whose message says why. */
  act: (releaseId: string, action: LifecycleAction) => hub.request(`POST /releases/:id/${action}`, at(releaseId)),
  /** Required: installations behind it get it first; rollbacks never go below it. */
  setRequired: (releaseId: string, required: boolean) => hub.request(`POST /releases/:id/${required ? 'require' : 'unrequire'}`, at(releaseId)),
};

export const entitlementsApi = {
  list: async (customerId?: string) => (await hub.request('GET /entitlements', { query: { customerId } })).items,
  create: (body: CreateEntitlementBody) => hub.request('POST /entitlements', { body }),
  remove: (entitlementId: string) => hub.request('DELETE /entitlements/:id', at(entitlementId)),
};

export const updatesApi = {
  forInstallation: (installationId: string) => hub.request('GET /installations/:id/updates', at(installationId)),
  install: (installationId: string, releaseId: string) => hub.request('POST /installations/:id/deploy', { ...at(installationId), body: { releaseId } }),
};

export const fleetApi = {
  summary: () => hub.request('GET /fleet/summary'),
};

export const customerApi = {
  get: (customerId: string) => hub.request('GET /customers/:id', at(customerId)),
};

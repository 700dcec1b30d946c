import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type {
  Application,
  ApplicationVersion,
  CreateApplicationBody,
  CreateTrackBody,
  CreateVersionBody,
  Track,
  UpdateApplicationBody,
  UpdateTrackBody,
  UpdateVersionBody,
} from '@flotilla/protocol';
import { applicationsApi, tracksApi } from '../api/releases';
import { errorMessage } from '../api/errors';
import { useSessionStore } from './session';

/**
 * The vendor's catalogue: applications (with their versions, fetched per application on demand) and
 * release tracks. Vendor pages only (customer users get 404 on `/applications`). Reset on logout.
 */
export const useCatalogStore = defineStore('catalog', () => {
  const session = useSessionStore();
  const applications = ref<Application[]>([]);
  const tracks = ref<Track[]>([]);
  const versions = ref<Record<string, ApplicationVersion[]>>({});
  const loaded = ref(false);
  const loading = ref(false);
  const error = ref<string | null>(null);
  let inflight: Promise<void> | null = null;

  const applicationsById = computed(() => new Map(applications.value.map((a) => [a.id, a])));

  function load(): Promise<void> {
    if (inflight) return inflight;
    loading.value = true;
    inflight = (async () => {
      try {
        // Applications are the vendor's; customer users see the tracks they are entitled to.
        const [apps, trackList] = await Promise.all([session.vendor ? applicationsApi.all() : Promise.resolve([]), tracksApi.list()]);
        applications.value = [...apps].sort((a, b) => a.name.localeCompare(b.name));
        tracks.value = sortTracks(trackList);
        loaded.value = true;
        error.value = null;
      } catch (err) {
        error.value = errorMessage(err);
      } finally {
        loading.value = false;
        inflight = null;
      }
    })();
    return inflight;
  }

  function ensureLoaded(): Promise<void> {
    return loaded.value ? Promise.resolve() : load();
  }

  /** An application's name, or its id when it is unknown (deleted, or not loaded). */
  function applicationName(id: string): string {
    return applicationsById.value.get(id)?.name ?? id;
  }

  function track(id: string): Track | undefined {
    return tracks.value.find((t) => t.id === id);
  }

  /** Versions of an application, newest first; fetched once per application (`refresh` to refetch). */
  async function loadVersions(applicationId: string, refresh = false): Promise<ApplicationVersion[]> {
    const known = versions.value[applicationId];
    if (known && !refresh) return known;
    const list = (await applicationsApi.versions(applicationId)).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    versions.value = { ...versions.value, [applicationId]: list };
    return list;
  }

  function keepApplication(app: Application): void {
    applications.value = [...applications.value.filter((a) => a.id !== app.id), app].sort((a, b) => a.name.localeCompare(b.name));
  }

  async function createApplication(body: CreateApplicationBody): Promise<Application> {
    const created = await applicationsApi.create(body);
    keepApplication(created);
    return created;
  }

  async function updateApplication(id: string, body: UpdateApplicationBody): Promise<Application> {
    const updated = await applicationsApi.update(id, body);
    keepApplication(updated);
    return updated;
  }

  async function deleteApplication(id: string): Promise<void> {
    await applicationsApi.remove(id);
    applications.value = applications.value.filter((a) => a.id !== id);
    const { [id]: _gone, ...rest } = versions.value;
    versions.value = rest;
  }

  function keepVersion(v: ApplicationVersion): void {
    const list = [...(versions.value[v.applicationId] ?? []).filter((x) => x.id !== v.id), v].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    versions.value = { ...versions.value, [v.applicationId]: list };
  }

  async function createVersion(applicationId: string, body: CreateVersionBody): Promise<ApplicationVersion> {
    const created = await applicationsApi.createVersion(applicationId, body);
    keepVersion(created);
    return created;
  }

  async function updateVersion(applicationId: string, versionId: string, body: UpdateVersionBody): Promise<ApplicationVersion> {
    const updated = await applicationsApi.updateVersion(applicationId, versionId, body);
    keepVersion(updated);
    return updated;
  }

  async function deleteVersion(applicationId: string, versionId: string): Promise<void> {
    await applicationsApi.removeVersion(applicationId, versionId);
    versions.value = { ...versions.value, [applicationId]: (versions.value[applicationId] ?? []).filter((v) => v.id !== versionId) };
  }

  async function createTrack(body: CreateTrackBody): Promise<Track> {
    const created = await tracksApi.create(body);
    tracks.value = sortTracks([...tracks.value.filter((t) => t.id !== created.id), created]);
    return created;
  }

  async function updateTrack(id: string, body: UpdateTrackBody): Promise<Track> {
    const updated = await tracksApi.update(id, body);
    remember(updated);
    return updated;
  }

  /** Keeps a track fetched elsewhere (e.g. `GET /tracks/:id`) in the list. */
  function remember(t: Track): void {
    tracks.value = sortTracks([...tracks.value.filter((x) => x.id !== t.id), t]);
  }

  function reset(): void {
    applications.value = [];
    tracks.value = [];
    versions.value = {};
    loaded.value = false;
    error.value = null;
  }

  return {
    applications,
    tracks,
    versions,
    loaded,
    loading,
    error,
    applicationsById,
    load,
    ensureLoaded,
    applicationName,
    track,
    loadVersions,
    keepApplication,
    createApplication,
    updateApplication,
    deleteApplication,
    createVersion,
    updateVersion,
    deleteVersion,
    createTrack,
    updateTrack,
    remember,
    reset,
  };
});

function sortTracks(list: Track[]): Track[] {
  return [...list].sort((a, b) => a.name.localeCompare(b.name));
}

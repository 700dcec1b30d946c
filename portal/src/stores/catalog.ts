import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { Application, ApplicationVersion, CreateTrackBody, Track, UpdateTrackBody } from '@flotilla/protocol';
import { applicationsApi, tracksApi } from '../api/releases';
import { errorMessage } from '../api/errors';

/**
 * The vendor's catalogue: applications (with their versions, fetched per application on demand) and
 * release tracks. Vendor pages only (customer users get 404 on `/applications`). Reset on logout.
 */
export const useCatalogStore = defineStore('catalog', () => {
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
        const [apps, trackList] = await Promise.all([applicationsApi.all(), tracksApi.list()]);
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

  return { applications, tracks, versions, loaded, loading, error, applicationsById, load, ensureLoaded, applicationName, track, loadVersions, createTrack, updateTrack, remember, reset };
});

function sortTracks(list: Track[]): Track[] {
  return [...list].sort((a, b) => a.name.localeCompare(b.name));
}

import { defineStore } from 'pinia';
import { computed, ref, shallowRef, toRaw } from 'vue';
import type { AgentPresence, Installation, InstallationRemoved, InstallationStatus } from '@flotilla/protocol';
import { installationsApi } from '../api/installations';
import { errorMessage } from '../api/errors';
import { applyFleetEvent, indexById, sortInstallations, upsertInstallation, withoutInstallation, type FleetEvent } from './fleet-patch';
import type { FleetChange } from '../lib/fleet-view';
import { useLiveSyncStore } from './live-sync';

/**
 * The installations the user may see, loaded once from `GET /installations` (all pages) and then
 * kept current by the live events: no polling. Loads and events go through the live feed
 * (lib/live-sync.ts): events that arrive while the list is loading are applied after it, and the list
 * is loaded again when the live connection may have missed events. An event for an installation the
 * list does not have triggers one refetch (per installation id).
 *
 * Views over the list (the fleet page's filtered, sorted one) follow it without re-reading it:
 * A row's 24 h uptime is re-read shortly after its health or presence changes (batched).
 * `onChange` listeners get the rows each batch of live events changed (`{before, after}`, raw
 * objects, once per microtask); `items` replaced by a load is the signal to rebuild. Every change
 * to `items` other than a load must go through `notify`.
 */
/** How old a list may be when a page that shows each row's 24 h uptime opens (see `refreshIfOlderThan`). */
export const UPTIME_MAX_AGE_MS = 10_000;
/**
 * A row whose health or presence changes gets its 24 h uptime re-read this long after (the changes
 * of that span in one batch): live events carry statuses, not the figure computed from them.
 */
export const UPTIME_REFRESH_DELAY_MS = 5_000;
/** A batch larger than this (an outage) re-reads the whole list instead of a GET per row... */
export const UPTIME_REFRESH_MAX_ROWS = 20;
/** ...at most this often. */
export const UPTIME_FULL_REFRESH_INTERVAL_MS = 60_000;

export const useFleetStore = defineStore('fleet', () => {
  const items = ref<Installation[]>([]);
  const loaded = ref(false);
  /** When the last load finished (epoch ms): what live events do not patch (the 24 h uptime) is this old. */
  let loadedAt = 0;
  const loading = ref(false);
  const error = ref<string | null>(null);

  /**
   * Position of each installation in `items`. Reactive (replaced, never mutated, whenever rows are
   * added or removed), so a `byId` read before the list arrives is re-run when it does.
   */
  const index = shallowRef(new Map<string, number>());
  let inflight: Promise<void> | null = null;
  const feed = useLiveSyncStore().feed(() => (loaded.value ? load() : undefined));
  const refetchedFor = new Set<string>();
  /** Installations removed while this page was open (an uninstall finished, a delete): their page says so. */
  const removedIds = ref<ReadonlySet<string>>(new Set());
  const listeners = new Set<(changes: FleetChange[]) => void>();
  let pending: FleetChange[] = [];
  const staleUptimes = new Set<string>();
  let uptimeTimer: ReturnType<typeof setTimeout> | null = null;

  /** Hands the changes of this turn to the listeners once, after the current burst of events. */
  function notify(change: FleetChange): void {
    if (listeners.size === 0) return;
    if (pending.length === 0) {
      queueMicrotask(() => {
        const changes = pending;
        pending = [];
        if (changes.length > 0) for (const listener of listeners) listener(changes);
      });
    }
    pending.push(change);
  }

  function onChange(listener: (changes: FleetChange[]) => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  const count = computed(() => items.value.length);
  /**
   * Counted when the list is replaced and kept by the live events (±1), not by a filter over every
   * row: a burst of 1 000 statuses arrives as dozens of messages, each re-rendering the page.
   */
  const onlineCount = ref(0);
  function recountOnline(): void {
    onlineCount.value = toRaw(items.value).reduce((n, i) => (i.status.online ? n + 1 : n), 0);
  }

  function load(): Promise<void> {
    if (inflight) return inflight;
    loading.value = true;
    inflight = feed.fetch(async () => {
      try {
        const all = await installationsApi.all();
        items.value = sortInstallations(all);
        index.value = indexById(items.value);
        recountOnline();
        loaded.value = true;
        loadedAt = Date.now();
        error.value = null;
      } catch (err) {
        error.value = errorMessage(err);
      } finally {
        loading.value = false;
        inflight = null;
      }
    });
    return inflight;
  }

  /**
   * Loads the list unless a load newer than `maxAgeMs` has it. Live events keep statuses current but
   * not each row's 24 h uptime: pages that show it refresh the list when they open on an old one.
   */
  function refreshIfOlderThan(maxAgeMs: number): Promise<void> {
    if (loaded.value && Date.now() - loadedAt <= maxAgeMs) return Promise.resolve();
    return load();
  }

  function handle(event: FleetEvent): void {
    // Nothing loaded yet and nothing loading: the first load will bring the current state anyway.
    if (!loaded.value) return;
    const raw = toRaw(items.value);
    const position = index.value.get(event.payload.installationId);
    const before = position === undefined ? undefined : raw[position];
    if (applyFleetEvent(items.value, index.value, event)) {
      const after = position === undefined ? undefined : raw[position];
      if (after !== before) {
        if (before && after && before.status.online !== after.status.online) onlineCount.value += after.status.online ? 1 : -1;
        if (before && after && (before.status.online !== after.status.online || before.status.health !== after.status.health)) uptimeChanged(after.id);
        notify({ before, after });
      }
      return;
    }
    const id = event.payload.installationId;
    if (refetchedFor.has(id)) return;
    refetchedFor.add(id);
    void load();
    feed.offer(() => handle(event));
  }

  function uptimeChanged(id: string, delayMs = UPTIME_REFRESH_DELAY_MS): void {
    staleUptimes.add(id);
    uptimeTimer ??= setTimeout(() => void refreshUptimes(), delayMs);
  }

  /** Re-reads the 24 h uptime of the rows whose health or presence changed since the last batch. */
  async function refreshUptimes(): Promise<void> {
    uptimeTimer = null;
    const ids = [...staleUptimes];
    staleUptimes.clear();
    if (ids.length > UPTIME_REFRESH_MAX_ROWS) {
      const wait = loadedAt + UPTIME_FULL_REFRESH_INTERVAL_MS - Date.now();
      if (wait > 0) for (const id of ids) uptimeChanged(id, wait);
      else await load();
      return;
    }
    await Promise.all(
      ids.map(async (id) => {
        try {
          setUptime(id, (await installationsApi.get(id)).uptime24h);
        } catch {
          // Gone or no longer visible: the live events say so; the row keeps its figure meanwhile.
        }
      }),
    );
  }

  /** Only the figure changes: the row's status may have moved on since the GET was answered. */
  function setUptime(id: string, uptime24h: number | null): void {
    const position = index.value.get(id);
    const before = position === undefined ? undefined : toRaw(items.value)[position];
    if (position === undefined || before === undefined || before.uptime24h === uptime24h) return;
    const after = { ...before, uptime24h };
    items.value[position] = after;
    notify({ before, after });
  }

  function applyStatus(status: InstallationStatus): void {
    feed.offer(() => handle({ type: 'status', payload: status }));
  }

  function applyPresence(presence: AgentPresence): void {
    feed.offer(() => handle({ type: 'presence', payload: presence }));
  }

  /** Applies a row change now, or after the load in progress; before any load the load brings it. */
  function changeRows(change: (list: readonly Installation[]) => Installation[]): void {
    feed.offer(() => changeRowsNow(change));
  }

  function changeRowsNow(change: (list: readonly Installation[]) => Installation[]): void {
    if (!loaded.value) return;
    // A new list: views over it rebuild (installations are added, renamed or removed rarely).
    items.value = change(items.value);
    index.value = indexById(items.value);
    recountOnline();
  }

  /** `installation:changed`: the complete REST shape, inserted or replaced (no refetch). */
  function applyInstallation(installation: Installation): void {
    changeRows((list) => upsertInstallation(list, installation));
  }

  /** `installation:removed`: deleted at once, or once its agent uninstalled it. */
  function applyRemoved(removed: InstallationRemoved): void {
    removedIds.value = new Set([...removedIds.value, removed.installationId]);
    changeRows((list) => withoutInstallation(list, removed.installationId));
  }

  function wasRemoved(id: string): boolean {
    return removedIds.value.has(id);
  }

  function byId(id: string): Installation | undefined {
    const position = index.value.get(id);
    return position === undefined ? undefined : items.value[position];
  }

  function reset(): void {
    items.value = [];
    onlineCount.value = 0;
    index.value = new Map();
    loaded.value = false;
    loadedAt = 0;
    error.value = null;
    feed.reset();
    pending = [];
    refetchedFor.clear();
    removedIds.value = new Set();
    staleUptimes.clear();
    if (uptimeTimer) clearTimeout(uptimeTimer);
    uptimeTimer = null;
  }

  return { items, loaded, loading, error, count, onlineCount, load, refreshIfOlderThan, applyStatus, applyPresence, applyInstallation, applyRemoved, byId, wasRemoved, reset, onChange };
});

import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { CreateRolloutBody, Rollout, RolloutProgress } from '@flotilla/protocol';
import { rolloutsApi } from '../api/rollouts';
import { errorMessage } from '../api/errors';
import { useLiveSyncStore } from './live-sync';
import { applyProgress as patchRollout, sortRollouts, type RolloutControl } from '../lib/rollouts';

/**
 * Rollouts the user looked at, by id, and the list (`GET /rollouts`), kept current by the live
 * `rollout:progress` events: no polling.
 *
 * Every hub call (list, one rollout, create, pause/resume/abort, approve) goes through the live feed
 * (lib/live-sync.ts): events that arrive meanwhile are replayed over its answer, and what is shown is
 * fetched again when the live connection may have missed events (`refresh`).
 */
export const useRolloutsStore = defineStore('rollouts', () => {
  const items = ref<Record<string, Rollout>>({});
  const listIds = ref<string[]>([]);
  const listLoaded = ref(false);
  const listLoading = ref(false);
  const listError = ref<string | null>(null);
  /** Per rollout id: why it could not be loaded. */
  const errors = ref<Record<string, string>>({});
  const loadingIds = ref<Record<string, boolean>>({});

  const list = computed(() => listIds.value.flatMap((id) => (items.value[id] ? [items.value[id]] : [])));

  const feed = useLiveSyncStore().feed(() => refresh());
  const running = new Map<string, Promise<void>>();
  /** Rollouts opened one by one (the rollout view): refreshed after a reconnect. */
  const opened = new Set<string>();
  /** Unknown rollouts an event named, for which the list was fetched again (once each). */
  const refetchedFor = new Set<string>();
  /** Runs one hub call, holding live events until it is done. */
  const tracked = <T>(work: () => Promise<T>): Promise<T> => feed.fetch(work);

  /** One call per key at a time; `fresh` waits for a running one and then calls again. */
  function single(key: string, start: () => Promise<void>, fresh = false): Promise<void> {
    const current = running.get(key);
    if (current) return fresh ? current.then(() => single(key, start)) : current;
    const promise = start().finally(() => {
      if (running.get(key) === promise) running.delete(key);
    });
    running.set(key, promise);
    return promise;
  }

  function put(rollout: Rollout): void {
    items.value = { ...items.value, [rollout.id]: rollout };
    if (listLoaded.value && !listIds.value.includes(rollout.id)) {
      const known = listIds.value.flatMap((id) => (items.value[id] ? [items.value[id]] : []));
      listIds.value = sortRollouts([...known, rollout]).map((r) => r.id);
    }
  }

  function loadList(fresh = false): Promise<void> {
    return single(
      'list',
      () => {
        listLoading.value = true;
        return tracked(async () => {
          try {
            const all = await rolloutsApi.list();
            const next = { ...items.value };
            for (const r of all) next[r.id] = r;
            items.value = next;
            listIds.value = sortRollouts(all).map((r) => r.id);
            listLoaded.value = true;
            listError.value = null;
          } catch (err) {
            listError.value = errorMessage(err);
          } finally {
            listLoading.value = false;
          }
        });
      },
      fresh,
    );
  }

  function loadOne(id: string, fresh = false): Promise<void> {
    opened.add(id);
    return single(
      `one:${id}`,
      () => {
        loadingIds.value = { ...loadingIds.value, [id]: true };
        return tracked(async () => {
          try {
            put(await rolloutsApi.get(id));
            const { [id]: _gone, ...rest } = errors.value;
            errors.value = rest;
          } catch (err) {
            errors.value = { ...errors.value, [id]: errorMessage(err) };
          } finally {
            const { [id]: _done, ...rest } = loadingIds.value;
            loadingIds.value = rest;
          }
        });
      },
      fresh,
    );
  }

  /** `POST /rollouts`; throws the hub's FlotillaError (its message says what is wrong). */
  async function create(body: CreateRolloutBody): Promise<Rollout> {
    return tracked(async () => {
      const created = await rolloutsApi.create(body);
      put(created);
      opened.add(created.id);
      return created;
    });
  }

  async function control(id: string, action: RolloutControl): Promise<Rollout> {
    return tracked(async () => {
      const r = await rolloutsApi.control(id, action);
      put(r);
      return r;
    });
  }

  async function approve(id: string, installationId: string, at?: string): Promise<Rollout> {
    return tracked(async () => {
      const r = await rolloutsApi.approve(id, installationId, at);
      // A customer's answer lists only its own targets: patch those into what is shown.
      const current = items.value[id];
      if (current && r.targets.length < current.targets.length) {
        put(patchRollout(current, { rolloutId: id, status: r.status, message: r.message, waves: r.waves, targets: r.targets }));
      } else put(r);
      return r;
    });
  }

  function apply(progress: RolloutProgress): void {
    const current = items.value[progress.rolloutId];
    if (current) {
      const next = patchRollout(current, progress);
      if (next !== current) items.value = { ...items.value, [progress.rolloutId]: next };
      return;
    }
    // A rollout the list does not have yet (started elsewhere): fetch the list once more.
    if (listLoaded.value && !refetchedFor.has(progress.rolloutId)) {
      refetchedFor.add(progress.rolloutId);
      void loadList(true);
    }
  }

  /** A `rollout:progress` event from the live connection. */
  function applyProgress(progress: RolloutProgress): void {
    feed.offer(() => apply(progress));
  }

  /** Fetches again everything shown (the live connection may have missed events). */
  async function refresh(): Promise<void> {
    const work: Promise<void>[] = [];
    if (listLoaded.value) work.push(loadList(true));
    for (const id of opened) work.push(loadOne(id, true));
    await Promise.all(work);
  }

  function reset(): void {
    items.value = {};
    listIds.value = [];
    listLoaded.value = false;
    listError.value = null;
    errors.value = {};
    feed.reset();
    opened.clear();
    refetchedFor.clear();
  }

  return { items, list, listLoaded, listLoading, listError, errors, loadingIds, loadList, loadOne, create, control, approve, applyProgress, refresh, reset };
});

import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { Alert } from '@flotilla/protocol';
import { hub } from '../api/hub';
import { errorMessage } from '../api/errors';
import { useLiveSyncStore } from './live-sync';

/** Firing alerts the user may see: fetched once, then patched by `alert:changed` / `alert:changes` live events. */
export const useAlertsStore = defineStore('alerts', () => {
  const firing = ref<Alert[]>([]);
  const loaded = ref(false);
  const error = ref<string | null>(null);
  const feed = useLiveSyncStore().feed(() => load());

  async function load(): Promise<void> {
    try {
      firing.value = (await feed.fetch(() => hub.request('GET /alerts', { query: { state: 'firing' } }))).items;
      loaded.value = true;
      error.value = null;
    } catch (err) {
      error.value = errorMessage(err);
    }
  }

  /** A batch in one pass (an outage changes thousands at once): newly firing first, resolved ones gone. */
  function apply(batch: Alert[]): void {
    feed.offer(() => {
      const changed = new Map(batch.map((a) => [a.id, a]));
      const rest = firing.value.filter((a) => !changed.has(a.id));
      const nowFiring = [...changed.values()].filter((a) => a.state === 'firing').reverse();
      firing.value = [...nowFiring, ...rest];
    });
  }

  return { firing, loaded, error, load, apply };
});

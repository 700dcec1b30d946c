import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { Alert } from '@flotilla/protocol';
import { hub } from '../api/hub';
import { errorMessage } from '../api/errors';
import { useLiveSyncStore } from './live-sync';

/** Firing alerts the user may see: fetched once, then patched by `alert:changed` live events. */
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

  function apply(alert: Alert): void {
    feed.offer(() => {
      const rest = firing.value.filter((a) => a.id !== alert.id);
      firing.value = alert.state === 'firing' ? [alert, ...rest] : rest;
    });
  }

  return { firing, loaded, error, load, apply };
});

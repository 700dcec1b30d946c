import { ref, type Ref } from 'vue';
import { errorMessage } from '../api/errors';

export interface EntityList<T extends { id: string }> {
  items: Ref<T[]>;
  loaded: Ref<boolean>;
  loading: Ref<boolean>;
  /** The last load's failure, shown by the page; cleared by a successful load. */
  error: Ref<string | null>;
  load(): Promise<void>;
  /** Replaces the entity with the same id, or appends it. */
  put(item: T): void;
  drop(id: string): void;
}

/** A settings list read whole from the hub and kept current by the store's own writes (webhooks, alert rules). */
export function useEntityList<T extends { id: string }>(list: () => Promise<{ items: T[] }>): EntityList<T> {
  const items = ref<T[]>([]) as Ref<T[]>;
  const loaded = ref(false);
  const loading = ref(false);
  const error = ref<string | null>(null);

  async function load(): Promise<void> {
    loading.value = true;
    try {
      items.value = (await list()).items;
      loaded.value = true;
      error.value = null;
    } catch (err) {
      error.value = errorMessage(err);
    } finally {
      loading.value = false;
    }
  }

  function put(item: T): void {
    const i = items.value.findIndex((x) => x.id === item.id);
    if (i >= 0) items.value.splice(i, 1, item);
    else items.value.push(item);
  }

  function drop(id: string): void {
    items.value = items.value.filter((x) => x.id !== id);
  }

  return { items, loaded, loading, error, load, put, drop };
}

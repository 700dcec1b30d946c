import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { ApiToken, CreateTokenBody, CreatedToken } from '@flotilla/protocol';
import { tokensApi } from '../api/identity';
import { errorMessage } from '../api/errors';

/** The signed-in user's API tokens. The secret of a new token is returned once and never stored here. */
export const useTokensStore = defineStore('tokens', () => {
  const items = ref<ApiToken[]>([]);
  const loaded = ref(false);
  const loading = ref(false);
  const error = ref<string | null>(null);

  async function load(): Promise<void> {
    loading.value = true;
    try {
      items.value = await tokensApi.list();
      loaded.value = true;
      error.value = null;
    } catch (err) {
      error.value = errorMessage(err);
    } finally {
      loading.value = false;
    }
  }

  async function create(body: CreateTokenBody): Promise<CreatedToken> {
    const created = await tokensApi.create(body);
    const { token: _secret, ...listed } = created;
    items.value = [listed, ...items.value.filter((t) => t.id !== created.id)];
    return created;
  }

  async function revoke(id: string): Promise<void> {
    await tokensApi.revoke(id);
    items.value = items.value.filter((t) => t.id !== id);
  }

  function reset(): void {
    items.value = [];
    loaded.value = false;
    error.value = null;
  }

  return { items, loaded, loading, error, load, create, revoke, reset };
});

import { defineStore } from 'pinia';
import type { ApiToken, CreateTokenBody, CreatedToken } from '@flotilla/protocol';
import { tokensApi } from '../api/identity';
import { useEntityList } from '../composables/use-entity-list';

/** The signed-in user's API tokens. The secret of a new token is returned once and never stored here. */
export const useTokensStore = defineStore('tokens', () => {
  const { items, loaded, loading, error, load, drop } = useEntityList<ApiToken>(async () => ({ items: await tokensApi.list() }));

  async function create(body: CreateTokenBody): Promise<CreatedToken> {
    const created = await tokensApi.create(body);
    const { token: _secret, ...listed } = created;
    // Newest first, as the hub lists them.
    items.value = [listed, ...items.value.filter((t) => t.id !== created.id)];
    return created;
  }

  async function revoke(id: string): Promise<void> {
    await tokensApi.revoke(id);
    drop(id);
  }

  function reset(): void {
    items.value = [];
    loaded.value = false;
    error.value = null;
  }

  return { items, loaded, loading, error, load, create, revoke, reset };
});

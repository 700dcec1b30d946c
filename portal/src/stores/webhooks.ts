import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { CreateWebhookBody, UpdateWebhookBody, Webhook, WebhookWithSecret } from '@flotilla/protocol';
import { webhooksApi } from '../api/webhooks';
import { errorMessage } from '../api/errors';

/** The organisation's webhook endpoints. A secret is returned once (create, rotate) and never kept here. */
export const useWebhooksStore = defineStore('webhooks', () => {
  const items = ref<Webhook[]>([]);
  const loaded = ref(false);
  const loading = ref(false);
  const error = ref<string | null>(null);

  async function load(): Promise<void> {
    loading.value = true;
    try {
      items.value = (await webhooksApi.list()).items;
      loaded.value = true;
      error.value = null;
    } catch (err) {
      error.value = errorMessage(err);
    } finally {
      loading.value = false;
    }
  }

  function put(w: Webhook): void {
    const i = items.value.findIndex((x) => x.id === w.id);
    if (i >= 0) items.value.splice(i, 1, w);
    else items.value.push(w);
  }

  const strip = ({ secret: _secret, ...w }: WebhookWithSecret): Webhook => w;

  async function create(body: CreateWebhookBody): Promise<WebhookWithSecret> {
    const created = await webhooksApi.create(body);
    put(strip(created));
    return created;
  }

  async function update(id: string, body: UpdateWebhookBody): Promise<Webhook> {
    const w = await webhooksApi.update(id, body);
    put(w);
    return w;
  }

  async function rotate(id: string): Promise<WebhookWithSecret> {
    const w = await webhooksApi.rotateSecret(id);
    put(strip(w));
    return w;
  }

  async function remove(id: string): Promise<void> {
    await webhooksApi.remove(id);
    items.value = items.value.filter((w) => w.id !== id);
  }

  return { items, loaded, loading, error, load, create, update, rotate, remove };
});

import { defineStore } from 'pinia';
import type { CreateWebhookBody, UpdateWebhookBody, Webhook, WebhookWithSecret } from '@flotilla/protocol';
import { webhooksApi } from '../api/webhooks';
import { useEntityList } from '../composables/use-entity-list';

/** The organisation's webhook endpoints. A secret is returned once (create, rotate) and never kept here. */
export const useWebhooksStore = defineStore('webhooks', () => {
  const { items, loaded, loading, error, load, put, drop } = useEntityList<Webhook>(() => webhooksApi.list());

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
    drop(id);
  }

  return { items, loaded, loading, error, load, create, update, rotate, remove };
});

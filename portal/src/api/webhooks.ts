import type { CreateWebhookBody, RotateWebhookSecretBody, UpdateWebhookBody } from '@flotilla/protocol';
import { hub } from './hub';

const at = (id: string) => ({ params: { id } });

export const webhooksApi = {
  list: () => hub.request('GET /webhooks'),
  create: (body: CreateWebhookBody) => hub.request('POST /webhooks', { body }),
  update: (id: string, body: UpdateWebhookBody) => hub.request('PATCH /webhooks/:id', { ...at(id), body }),
  remove: (id: string) => hub.request('DELETE /webhooks/:id', at(id)),
  rotateSecret: (id: string, body: RotateWebhookSecretBody = {}) => hub.request('POST /webhooks/:id/rotate-secret', { ...at(id), body }),
  sendTest: (id: string) => hub.request('POST /webhooks/:id/test', at(id)),
  deliveries: (id: string) => hub.request('GET /webhooks/:id/deliveries', { ...at(id), query: { limit: 50 } }),
  redeliver: (id: string, deliveryId: string) => hub.request('POST /webhooks/:id/deliveries/:deliveryId/redeliver', { params: { id, deliveryId } }),
};

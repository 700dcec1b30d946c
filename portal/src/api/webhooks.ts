import type { CreateWebhookBody, RotateWebhookSecretBody, UpdateWebhookBody, Webhook, WebhookDelivery, WebhookDeliveryPage, WebhookList, WebhookWithSecret } from '@flotilla/protocol';
import { request } from './client';

const path = (id: string) => `/webhooks/${encodeURIComponent(id)}`;

export const webhooksApi = {
  list: () => request<WebhookList>('GET', '/webhooks'),
  create: (body: CreateWebhookBody) => request<WebhookWithSecret>('POST', '/webhooks', body),
  update: (id: string, body: UpdateWebhookBody) => request<Webhook>('PATCH', path(id), body),
  remove: (id: string) => request<undefined>('DELETE', path(id)),
  rotateSecret: (id: string, body: RotateWebhookSecretBody = {}) => request<WebhookWithSecret>('POST', `${path(id)}/rotate-secret`, body),
  sendTest: (id: string) => request<WebhookDelivery>('POST', `${path(id)}/test`),
  deliveries: (id: string) => request<WebhookDeliveryPage>('GET', `${path(id)}/deliveries?limit=50`),
  redeliver: (id: string, deliveryId: string) => request<WebhookDelivery>('POST', `${path(id)}/deliveries/${encodeURIComponent(deliveryId)}/redeliver`),
};

import { TEST_EVENT_TYPE, type CreateWebhookBody, type RotateWebhookSecretBody, type UpdateWebhookBody, type Webhook, type WebhookDelivery as WebhookDeliveryView, type WebhookDeliveryPage, type WebhookDeliveriesQuery, type WebhookWithSecret } from '@flotilla/protocol';
import { AppError } from '../../errors.js';
import { isUuid } from '../shared/db-errors.js';
import { newWebhookSecret } from './signing.js';
import { toDelivery, toWebhook, type EndpointRow, type Owner, type WebhookRepository } from './webhook-repository.js';
import type { WebhookDelivery } from './webhook-delivery.js';

const DEFAULT_OVERLAP_HOURS = 24;

/** Webhook endpoints as their owners manage them (vendor admins, customer admins for their own). */
export class WebhookService {
  constructor(
    private readonly repo: WebhookRepository,
    private readonly delivery: WebhookDelivery,
  ) {}

  async list(owner: Owner): Promise<{ items: Webhook[] }> {
    return { items: (await this.repo.list(owner)).map(toWebhook) };
  }

  async get(owner: Owner, id: string): Promise<Webhook> {
    return toWebhook(await this.row(owner, id));
  }

  async create(owner: Owner, body: CreateWebhookBody): Promise<WebhookWithSecret> {
    const secret = newWebhookSecret();
    const row = await this.repo.create(owner, { url: body.url, description: body.description ?? '', events: [...new Set(body.events ?? [])], enabled: body.enabled ?? true, secret });
    return { ...toWebhook(row), secret };
  }

  async update(owner: Owner, id: string, body: UpdateWebhookBody): Promise<Webhook> {
    const patch: Record<string, unknown> = {};
    if (body.url !== undefined) patch.url = body.url;
    if (body.description !== undefined) patch.description = body.description;
    if (body.events !== undefined) patch.events = [...new Set(body.events)];
    if (body.enabled !== undefined) Object.assign(patch, { enabled: body.enabled, disabled_reason: null, ...(body.enabled ? { failing_since: null } : {}) });
    const row = isUuid(id) ? await this.repo.update(owner, id, patch) : undefined;
    if (!row) throw AppError.notFound('Webhook');
    return toWebhook(row);
  }

  async delete(owner: Owner, id: string): Promise<void> {
    if (!isUuid(id) || !(await this.repo.delete(owner, id))) throw AppError.notFound('Webhook');
  }

  /** A new secret, shown once; the old one keeps signing beside it for the overlap. */
  async rotateSecret(owner: Owner, id: string, body: RotateWebhookSecretBody): Promise<WebhookWithSecret> {
    const current = await this.row(owner, id);
    const secret = newWebhookSecret();
    const overlapMs = (body.overlapHours ?? DEFAULT_OVERLAP_HOURS) * 3600_000;
    const row = await this.repo.update(owner, id, {
      secret,
      previous_secret: overlapMs > 0 ? current.secret : null,
      previous_secret_expires_at: overlapMs > 0 ? new Date(Date.now() + overlapMs) : null,
    });
    if (!row) throw AppError.notFound('Webhook');
    return { ...toWebhook(row), secret };
  }

  /** Sends a `webhook.test` message now (one attempt, in the delivery log like any other). */
  async sendTest(owner: Owner, id: string): Promise<WebhookDeliveryView> {
    const endpoint = await this.row(owner, id);
    if (!endpoint.enabled) throw new AppError('CONFLICT', 'The webhook is disabled: enable it first');
    const payload = { type: TEST_EVENT_TYPE, timestamp: new Date().toISOString(), data: { vendorId: owner.vendorId, customerId: owner.customerId, message: 'A test message from Flotilla' } };
    const [deliveryId] = await this.repo.insertDeliveries([{ endpointId: id, messageId: `msg_test_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`, eventType: TEST_EVENT_TYPE, payload }]);
    if (!deliveryId) throw new Error('insert returned no row');
    await this.delivery.enqueue([deliveryId], true);
    return this.deliveryView(id, deliveryId);
  }

  async deliveries(owner: Owner, id: string, q: WebhookDeliveriesQuery): Promise<WebhookDeliveryPage> {
    await this.row(owner, id);
    return this.repo.listDeliveries(id, q);
  }

  /** Sends a logged message again (same `webhook-id`, so receivers can tell it is the same message). */
  async redeliver(owner: Owner, id: string, deliveryId: string): Promise<WebhookDeliveryView> {
    const endpoint = await this.row(owner, id);
    if (!/^\d{1,18}$/.test(deliveryId) || !(await this.repo.deliveryOf(id, deliveryId))) throw AppError.notFound('Delivery');
    if (!endpoint.enabled) throw new AppError('CONFLICT', 'The webhook is disabled: enable it first');
    await this.repo.updateDelivery(deliveryId, { status: 'pending', next_attempt_at: null });
    await this.delivery.enqueue([deliveryId], true);
    return this.deliveryView(id, deliveryId);
  }

  private async deliveryView(endpointId: string, deliveryId: string): Promise<WebhookDeliveryView> {
    const row = await this.repo.deliveryOf(endpointId, deliveryId);
    if (!row) throw AppError.notFound('Delivery');
    return toDelivery(row);
  }

  private async row(owner: Owner, id: string): Promise<EndpointRow> {
    const row = isUuid(id) ? await this.repo.get(owner, id) : undefined;
    if (!row) throw AppError.notFound('Webhook');
    return row;
  }
}

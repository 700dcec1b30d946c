import type Router from '@koa/router';
import { CreateWebhookBody, RotateWebhookSecretBody, UpdateWebhookBody, WebhookDeliveriesQuery } from '@flotilla/protocol';
import type { Actor } from '../../domain/access/roles.js';
import type { Owner } from '../../domain/webhooks/webhook-repository.js';
import type { WebhookService } from '../../domain/webhooks/webhook-service.js';
import { routeRegistrar, type RouteDeps, type RouteState } from '../route.js';
import { param, parseOrThrow } from '../validate.js';

/** A vendor member manages the vendor's endpoints; a customer member its organisation's. */
const owner = (a: Actor): Owner => ({ vendorId: a.vendorId, customerId: a.customerId });

export function webhookRoutes(router: Router<RouteState>, deps: RouteDeps, webhooks: WebhookService): void {
  const r = routeRegistrar(router, deps);
  r.org('GET /webhooks', async (ctx, a) => {
    ctx.body = await webhooks.list(owner(a));
  });
  r.org('POST /webhooks', async (ctx, a) => {
    ctx.body = await webhooks.create(owner(a), parseOrThrow(CreateWebhookBody, ctx.request.body, 'body'));
    ctx.status = 201;
  });
  r.org('GET /webhooks/:id', async (ctx, a) => {
    ctx.body = await webhooks.get(owner(a), param(ctx, 'id'));
  });
  r.org('PATCH /webhooks/:id', async (ctx, a) => {
    const body = parseOrThrow(UpdateWebhookBody, ctx.request.body, 'body');
    ctx.body = await webhooks.update(owner(a), param(ctx, 'id'), body);
    ctx.state.auditDetails = { changed: Object.keys(body), ...(body.enabled !== undefined ? { enabled: body.enabled } : {}) };
  });
  r.org('DELETE /webhooks/:id', async (ctx, a) => {
    await webhooks.delete(owner(a), param(ctx, 'id'));
    ctx.status = 204;
  });
  r.org('POST /webhooks/:id/rotate-secret', async (ctx, a) => {
    ctx.body = await webhooks.rotateSecret(owner(a), param(ctx, 'id'), parseOrThrow(RotateWebhookSecretBody, ctx.request.body ?? {}, 'body'));
  });
  r.org('POST /webhooks/:id/test', async (ctx, a) => {
    ctx.body = await webhooks.sendTest(owner(a), param(ctx, 'id'));
    ctx.status = 202;
    ctx.state.auditTarget = param(ctx, 'id');
  });
  r.org('GET /webhooks/:id/deliveries', async (ctx, a) => {
    ctx.body = await webhooks.deliveries(owner(a), param(ctx, 'id'), parseOrThrow(WebhookDeliveriesQuery, ctx.query, 'query'));
  });
  r.org('POST /webhooks/:id/deliveries/:deliveryId/redeliver', async (ctx, a) => {
    ctx.body = await webhooks.redeliver(owner(a), param(ctx, 'id'), param(ctx, 'deliveryId'));
    ctx.status = 202;
    ctx.state.auditDetails = { deliveryId: param(ctx, 'deliveryId') };
  });
}

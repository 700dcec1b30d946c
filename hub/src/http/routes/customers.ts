import Router from '@koa/router';
import { CreateCustomerBody, PageQuery, UpdateCustomerBody } from '@flotilla/protocol';
import type { CustomerService } from '../../domain/customers/customer-service.js';
import { requireVendorActor, type AuthState } from '../auth.js';
import { param, parseOrThrow } from '../validate.js';

export function customerRoutes(customers: CustomerService): Router<AuthState> {
  const router = new Router<AuthState>();
  router.get('/customers', async (ctx) => {
    ctx.body = await customers.list(requireVendorActor(ctx).vendorId, parseOrThrow(PageQuery, ctx.query, 'query'));
  });
  router.post('/customers', async (ctx) => {
    const { vendorId } = requireVendorActor(ctx);
    const { name } = parseOrThrow(CreateCustomerBody, ctx.request.body, 'body');
    ctx.status = 201;
    ctx.body = await customers.create(vendorId, name);
  });
  router.get('/customers/:id', async (ctx) => {
    ctx.body = await customers.get(requireVendorActor(ctx).vendorId, param(ctx, 'id'));
  });
  router.patch('/customers/:id', async (ctx) => {
    const { vendorId } = requireVendorActor(ctx);
    const { name } = parseOrThrow(UpdateCustomerBody, ctx.request.body, 'body');
    ctx.body = await customers.update(vendorId, param(ctx, 'id'), name);
  });
  router.delete('/customers/:id', async (ctx) => {
    await customers.delete(requireVendorActor(ctx).vendorId, param(ctx, 'id'));
    ctx.status = 204;
  });
  return router;
}

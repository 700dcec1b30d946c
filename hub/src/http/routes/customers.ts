import type Router from '@koa/router';
import { CreateCustomerBody, PageQuery, UpdateCustomerBody } from '@flotilla/protocol';
import type { CustomerService } from '../../domain/customers/customer-service.js';
import { routeRegistrar, type RouteDeps, type RouteState } from '../route.js';
import { param, parseOrThrow } from '../validate.js';

export function customerRoutes(router: Router<RouteState>, deps: RouteDeps, customers: CustomerService): void {
  const r = routeRegistrar(router, deps);
  r.org('GET /customers', async (ctx, a) => {
    ctx.body = await customers.list(a.vendorId, parseOrThrow(PageQuery, ctx.query, 'query'));
  });
  r.org('POST /customers', async (ctx, a) => {
    ctx.body = await customers.create(a.vendorId, parseOrThrow(CreateCustomerBody, ctx.request.body, 'body'));
    ctx.status = 201;
  });
  r.org('GET /customers/:id', async (ctx, a) => {
    ctx.body = await customers.get(a, param(ctx, 'id'));
  });
  r.org('PATCH /customers/:id', async (ctx, a) => {
    const body = parseOrThrow(UpdateCustomerBody, ctx.request.body, 'body');
    ctx.body = await customers.update(a.vendorId, param(ctx, 'id'), body);
    ctx.state.auditDetails = { fields: Object.keys(body) };
  });
  r.org('DELETE /customers/:id', async (ctx, a) => {
    await customers.delete(a.vendorId, param(ctx, 'id'));
    ctx.status = 204;
  });
}

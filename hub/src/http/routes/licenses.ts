import type Router from '@koa/router';
import { IssueLicenseBody, LicensesQuery, ReplaceLicenseBody } from '@flotilla/protocol';
import type { LicenseService } from '../../domain/licenses/license-service.js';
import { routeRegistrar, type RouteDeps, type RouteState } from '../route.js';
import { param, parseOrThrow } from '../validate.js';

export function licenseRoutes(router: Router<RouteState>, deps: RouteDeps, licenses: LicenseService): void {
  const r = routeRegistrar(router, deps);
  r.public('GET /license-keys/:vendorId', async (ctx) => {
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.body = await licenses.publicKeyOf(param(ctx, 'vendorId'));
  });
  r.org('GET /licenses', async (ctx, a) => {
    ctx.body = { items: await licenses.list(a, parseOrThrow(LicensesQuery, ctx.query, 'query')) };
  });
  r.org('POST /licenses', async (ctx, a) => {
    ctx.body = await licenses.issue(a.vendorId, parseOrThrow(IssueLicenseBody, ctx.request.body, 'body'));
    ctx.status = 201;
  });
  // Before /licenses/:id, which would take "public-key" for an id.
  r.org('GET /licenses/public-key', async (ctx, a) => {
    ctx.body = await licenses.publicKey(a.vendorId);
  });
  r.org('GET /licenses/:id', async (ctx, a) => {
    ctx.body = await licenses.get(a, param(ctx, 'id'));
  });
  r.org('POST /licenses/:id/replace', async (ctx, a) => {
    ctx.body = await licenses.replace(a.vendorId, param(ctx, 'id'), parseOrThrow(ReplaceLicenseBody, ctx.request.body, 'body'));
    ctx.status = 201;
  });
  r.org('POST /licenses/:id/revoke', async (ctx, a) => {
    ctx.body = await licenses.revoke(a.vendorId, param(ctx, 'id'));
  });
}

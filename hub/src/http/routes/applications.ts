import type Router from '@koa/router';
import { CreateApplicationBody, CreateVersionBody, PageQuery, UpdateApplicationBody, UpdateVersionBody } from '@flotilla/protocol';
import type { ApplicationService } from '../../domain/applications/application-service.js';
import { routeRegistrar, type RouteDeps, type RouteState } from '../route.js';
import { param, parseOrThrow } from '../validate.js';

export function applicationRoutes(router: Router<RouteState>, deps: RouteDeps, apps: ApplicationService): void {
  const r = routeRegistrar(router, deps);
  r.org('GET /applications', async (ctx, a) => {
    ctx.body = await apps.list(a.vendorId, parseOrThrow(PageQuery, ctx.query, 'query'));
  });
  r.org('POST /applications', async (ctx, a) => {
    const body = parseOrThrow(CreateApplicationBody, ctx.request.body, 'body');
    ctx.body = await apps.create(a.vendorId, body);
    ctx.status = 201;
  });
  r.org('GET /applications/:id', async (ctx, a) => {
    ctx.body = await apps.get(a.vendorId, param(ctx, 'id'));
  });
  r.org('PATCH /applications/:id', async (ctx, a) => {
    ctx.body = await apps.update(a.vendorId, param(ctx, 'id'), parseOrThrow(UpdateApplicationBody, ctx.request.body, 'body'));
  });
  r.org('DELETE /applications/:id', async (ctx, a) => {
    await apps.delete(a.vendorId, param(ctx, 'id'));
    ctx.status = 204;
  });
  r.org('GET /applications/:id/versions', async (ctx, a) => {
    ctx.body = await apps.listVersions(a.vendorId, param(ctx, 'id'), parseOrThrow(PageQuery, ctx.query, 'query'));
  });
  r.org('POST /applications/:id/versions', async (ctx, a) => {
    const body = parseOrThrow(CreateVersionBody, ctx.request.body, 'body');
    ctx.body = await apps.createVersion(a.vendorId, param(ctx, 'id'), body);
    ctx.status = 201;
  });
  r.org('GET /applications/:id/versions/:vid', async (ctx, a) => {
    ctx.body = await apps.getVersion(a.vendorId, param(ctx, 'id'), param(ctx, 'vid'));
  });
  r.org('PATCH /applications/:id/versions/:vid', async (ctx, a) => {
    const patch = parseOrThrow(UpdateVersionBody, ctx.request.body, 'body');
    ctx.body = await apps.updateVersion(a.vendorId, param(ctx, 'id'), param(ctx, 'vid'), patch);
    ctx.state.auditDetails = { fields: Object.keys(patch), ...(patch.archived === undefined ? {} : { archived: patch.archived }) };
  });
  r.org('DELETE /applications/:id/versions/:vid', async (ctx, a) => {
    await apps.deleteVersion(a.vendorId, param(ctx, 'id'), param(ctx, 'vid'));
    ctx.status = 204;
  });
}

import Router from '@koa/router';
import { CreateApplicationBody, CreateVersionBody, PageQuery, UpdateApplicationBody, UpdateVersionBody } from '@flotilla/protocol';
import type { ApplicationService } from '../../domain/applications/application-service.js';
import { requireVendorActor, type AuthState } from '../auth.js';
import { param, parseOrThrow } from '../validate.js';

export function applicationRoutes(apps: ApplicationService): Router<AuthState> {
  const router = new Router<AuthState>();

  router.get('/applications', async (ctx) => {
    const { vendorId } = requireVendorActor(ctx);
    ctx.body = await apps.list(vendorId, parseOrThrow(PageQuery, ctx.query, 'query'));
  });
  router.post('/applications', async (ctx) => {
    const { vendorId } = requireVendorActor(ctx);
    ctx.status = 201;
    ctx.body = await apps.create(vendorId, parseOrThrow(CreateApplicationBody, ctx.request.body, 'body'));
  });
  router.get('/applications/:id', async (ctx) => {
    ctx.body = await apps.get(requireVendorActor(ctx).vendorId, param(ctx, 'id'));
  });
  router.patch('/applications/:id', async (ctx) => {
    const { vendorId } = requireVendorActor(ctx);
    ctx.body = await apps.update(vendorId, param(ctx, 'id'), parseOrThrow(UpdateApplicationBody, ctx.request.body, 'body'));
  });
  router.delete('/applications/:id', async (ctx) => {
    await apps.delete(requireVendorActor(ctx).vendorId, param(ctx, 'id'));
    ctx.status = 204;
  });

  router.get('/applications/:id/versions', async (ctx) => {
    const { vendorId } = requireVendorActor(ctx);
    ctx.body = await apps.listVersions(vendorId, param(ctx, 'id'), parseOrThrow(PageQuery, ctx.query, 'query'));
  });
  router.post('/applications/:id/versions', async (ctx) => {
    const { vendorId } = requireVendorActor(ctx);
    const body = parseOrThrow(CreateVersionBody, ctx.request.body, 'body');
    ctx.status = 201;
    ctx.body = await apps.createVersion(vendorId, param(ctx, 'id'), body);
  });
  router.get('/applications/:id/versions/:vid', async (ctx) => {
    ctx.body = await apps.getVersion(requireVendorActor(ctx).vendorId, param(ctx, 'id'), param(ctx, 'vid'));
  });
  router.patch('/applications/:id/versions/:vid', async (ctx) => {
    const { vendorId } = requireVendorActor(ctx);
    const { notes } = parseOrThrow(UpdateVersionBody, ctx.request.body, 'body');
    ctx.body = await apps.updateVersion(vendorId, param(ctx, 'id'), param(ctx, 'vid'), notes);
  });
  return router;
}

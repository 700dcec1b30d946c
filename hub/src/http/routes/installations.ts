import Router from '@koa/router';
import { z } from 'zod';
import { CreateInstallationBody, DeployBody, PageQuery, UpdateInstallationBody, UptimeQuery } from '@flotilla/protocol';
import type { InstallationService } from '../../domain/installations/installation-service.js';
import type { DeployService } from '../../domain/installations/deploy-service.js';
import type { AgentCredentialService } from '../../domain/agents/agent-credential-service.js';
import { requireVendorActor, type AuthState } from '../auth.js';
import { param, parseOrThrow } from '../validate.js';

const EventsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  before: z.coerce.number().int().positive().optional(),
});

export function installationRoutes(installations: InstallationService, deploys: DeployService, credentials: AgentCredentialService): Router<AuthState> {
  const router = new Router<AuthState>();
  router.get('/installations', async (ctx) => {
    ctx.body = await installations.list(requireVendorActor(ctx).vendorId, parseOrThrow(PageQuery, ctx.query, 'query'));
  });
  router.post('/installations', async (ctx) => {
    const { vendorId } = requireVendorActor(ctx);
    const body = parseOrThrow(CreateInstallationBody, ctx.request.body, 'body');
    ctx.status = 201;
    ctx.body = await installations.create(vendorId, body);
  });
  router.get('/installations/:id', async (ctx) => {
    ctx.body = await installations.get(requireVendorActor(ctx).vendorId, param(ctx, 'id'));
  });
  router.patch('/installations/:id', async (ctx) => {
    const { vendorId } = requireVendorActor(ctx);
    ctx.body = await installations.update(vendorId, param(ctx, 'id'), parseOrThrow(UpdateInstallationBody, ctx.request.body, 'body'));
  });
  router.delete('/installations/:id', async (ctx) => {
    await installations.delete(requireVendorActor(ctx).vendorId, param(ctx, 'id'));
    ctx.status = 204;
  });
  router.post('/installations/:id/agent-credentials', async (ctx) => {
    ctx.status = 201;
    ctx.body = await credentials.issue(requireVendorActor(ctx).vendorId, param(ctx, 'id'));
  });
  router.post('/installations/:id/deploy', async (ctx) => {
    const actor = requireVendorActor(ctx);
    const body = parseOrThrow(DeployBody, ctx.request.body, 'body');
    ctx.status = 202;
    ctx.body = await deploys.deploy(actor.vendorId, actor.userId, param(ctx, 'id'), body);
  });
  router.get('/installations/:id/status', async (ctx) => {
    ctx.body = await installations.status(requireVendorActor(ctx).vendorId, param(ctx, 'id'));
  });
  router.get('/installations/:id/uptime', async (ctx) => {
    const { window } = parseOrThrow(UptimeQuery, ctx.query, 'query');
    ctx.body = await installations.uptime(requireVendorActor(ctx).vendorId, param(ctx, 'id'), window);
  });
  router.get('/installations/:id/events', async (ctx) => {
    const q = parseOrThrow(EventsQuery, ctx.query, 'query');
    ctx.body = { items: await installations.events(requireVendorActor(ctx).vendorId, param(ctx, 'id'), q.limit, q.before) };
  });
  return router;
}

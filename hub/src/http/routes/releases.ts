import type Router from '@koa/router';
import { CreateEntitlementBody, CreateReleaseBody, CreateTrackBody, EntitlementsQuery, UpdateEntitlementBody, UpdateReleaseBody, UpdateTrackBody } from '@flotilla/protocol';
import type { EntitlementService } from '../../domain/releases/entitlements.js';
import type { FleetService } from '../../domain/releases/fleet-summary.js';
import type { ReleaseService } from '../../domain/releases/release-service.js';
import { routeRegistrar, type RouteDeps, type RouteState } from '../route.js';
import { param, parseOrThrow } from '../validate.js';

export function releaseRoutes(router: Router<RouteState>, deps: RouteDeps, releases: ReleaseService, entitlements: EntitlementService, fleet: FleetService): void {
  const r = routeRegistrar(router, deps);
  r.org('GET /tracks', async (ctx, a) => {
    ctx.body = { items: await releases.listTracks(a), nextCursor: null };
  });
  r.org('POST /tracks', async (ctx, a) => {
    const body = parseOrThrow(CreateTrackBody, ctx.request.body, 'body');
    ctx.body = await releases.createTrack(a.vendorId, body);
    ctx.status = 201;
  });
  r.org('GET /tracks/:id', async (ctx, a) => {
    ctx.body = await releases.getTrack(a, param(ctx, 'id'));
  });
  r.org('PATCH /tracks/:id', async (ctx, a) => {
    ctx.body = await releases.updateTrack(a.vendorId, param(ctx, 'id'), parseOrThrow(UpdateTrackBody, ctx.request.body, 'body'));
  });
  r.org('GET /tracks/:id/releases', async (ctx, a) => {
    ctx.body = { items: await releases.listReleases(a, param(ctx, 'id')), nextCursor: null };
  });
  r.org('POST /tracks/:id/releases', async (ctx, a) => {
    const body = parseOrThrow(CreateReleaseBody, ctx.request.body, 'body');
    ctx.body = await releases.createRelease(a.vendorId, param(ctx, 'id'), body);
    ctx.status = 201;
  });
  r.org('GET /releases/:id', async (ctx, a) => {
    ctx.body = await releases.getRelease(a, param(ctx, 'id'));
  });
  r.org('PATCH /releases/:id', async (ctx, a) => {
    ctx.body = await releases.updateRelease(a.vendorId, param(ctx, 'id'), parseOrThrow(UpdateReleaseBody, ctx.request.body, 'body'));
  });
  r.org('DELETE /releases/:id', async (ctx, a) => {
    await releases.deleteRelease(a.vendorId, param(ctx, 'id'));
    ctx.status = 204;
  });
  for (const action of ['lock', 'unlock', 'hold', 'resume', 'rescind'] as const) {
    r.org(`POST /releases/:id/${action}`, async (ctx, a) => {
      ctx.body = await releases.act(a.vendorId, param(ctx, 'id'), action);
    });
  }
  r.org('POST /releases/:id/require', async (ctx, a) => {
    ctx.body = await releases.setRequired(a.vendorId, param(ctx, 'id'), true);
  });
  r.org('POST /releases/:id/unrequire', async (ctx, a) => {
    ctx.body = await releases.setRequired(a.vendorId, param(ctx, 'id'), false);
  });

  r.org('GET /entitlements', async (ctx, a) => {
    const { customerId } = parseOrThrow(EntitlementsQuery, ctx.query, 'query');
    ctx.body = { items: await entitlements.list(a, customerId) };
  });
  r.org('POST /entitlements', async (ctx, a) => {
    ctx.body = await entitlements.create(a.vendorId, parseOrThrow(CreateEntitlementBody, ctx.request.body, 'body'));
    ctx.status = 201;
  });
  r.org('PATCH /entitlements/:id', async (ctx, a) => {
    ctx.body = await entitlements.update(a.vendorId, param(ctx, 'id'), parseOrThrow(UpdateEntitlementBody, ctx.request.body, 'body'));
  });
  r.org('DELETE /entitlements/:id', async (ctx, a) => {
    await entitlements.delete(a.vendorId, param(ctx, 'id'));
    ctx.status = 204;
  });
  r.org('GET /fleet/summary', async (ctx, a) => {
    ctx.body = await fleet.summary(a);
  });
}

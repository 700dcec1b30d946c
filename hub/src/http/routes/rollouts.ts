import type Router from '@koa/router';
import { ApproveTargetBody, CreateRolloutBody, RolloutTimelineQuery } from '@flotilla/protocol';
import type { RolloutService } from '../../rollouts/rollout-service.js';
import { routeRegistrar, type RouteDeps, type RouteState } from '../route.js';
import { param, parseOrThrow } from '../validate.js';

export function rolloutRoutes(router: Router<RouteState>, deps: RouteDeps, rollouts: RolloutService): void {
  const r = routeRegistrar(router, deps);
  r.org('GET /rollouts', async (ctx, a) => {
    ctx.body = { items: await rollouts.list(a), nextCursor: null };
  });
  r.org('POST /rollouts', async (ctx, a) => {
    const body = parseOrThrow(CreateRolloutBody, ctx.request.body, 'body');
    ctx.body = await rollouts.create(a, body);
    ctx.status = 201;
  });
  r.org('POST /rollouts/preview', async (ctx, a) => {
    ctx.body = await rollouts.preview(a, parseOrThrow(CreateRolloutBody, ctx.request.body, 'body'));
  });
  r.org('GET /rollouts/:id', async (ctx, a) => {
    ctx.body = await rollouts.get(a, param(ctx, 'id'));
  });
  r.org('GET /rollouts/:id/timeline', async (ctx, a) => {
    const { after } = parseOrThrow(RolloutTimelineQuery, ctx.query, 'query');
    ctx.body = { items: await rollouts.timeline(a, param(ctx, 'id'), after) };
  });
  for (const action of ['pause', 'resume', 'abort'] as const) {
    r.org(`POST /rollouts/:id/${action}`, async (ctx, a) => {
      ctx.body = await rollouts.control(a, param(ctx, 'id'), action);
    });
  }
  r.org('POST /rollouts/:id/targets/:installationId/approve', async (ctx, a) => {
    const { at } = parseOrThrow(ApproveTargetBody, ctx.request.body ?? {}, 'body');
    ctx.body = await rollouts.approve(a, param(ctx, 'id'), param(ctx, 'installationId'), at);
  });
}

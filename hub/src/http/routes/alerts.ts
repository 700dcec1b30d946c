import type Router from '@koa/router';
import { AlertsQuery, CreateAlertRuleBody, UpdateAlertRuleBody } from '@flotilla/protocol';
import type { AlertService } from '../../domain/alerts/alert-service.js';
import { routeRegistrar, type RouteDeps, type RouteState } from '../route.js';
import { param, parseOrThrow } from '../validate.js';

export function alertRoutes(router: Router<RouteState>, deps: RouteDeps, alerts: AlertService): void {
  const r = routeRegistrar(router, deps);
  r.org('GET /alert-rules', async (ctx, a) => {
    ctx.body = await alerts.listRules(a.vendorId);
  });
  r.org('POST /alert-rules', async (ctx, a) => {
    ctx.body = await alerts.createRule(a.vendorId, parseOrThrow(CreateAlertRuleBody, ctx.request.body, 'body'));
    ctx.status = 201;
  });
  r.org('PATCH /alert-rules/:id', async (ctx, a) => {
    const body = parseOrThrow(UpdateAlertRuleBody, ctx.request.body, 'body');
    ctx.body = await alerts.updateRule(a.vendorId, param(ctx, 'id'), body);
    ctx.state.auditDetails = { changed: Object.keys(body) };
  });
  r.org('DELETE /alert-rules/:id', async (ctx, a) => {
    await alerts.deleteRule(a.vendorId, param(ctx, 'id'));
    ctx.status = 204;
  });
  r.org('GET /alerts', async (ctx, a) => {
    ctx.body = await alerts.list(a, parseOrThrow(AlertsQuery, ctx.query, 'query'));
  });
}

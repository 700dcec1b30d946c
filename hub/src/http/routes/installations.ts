import type Router from '@koa/router';
import { CreateInstallationBody, DeleteInstallationQuery, DeployBody, InstallationEventsQuery, MetricsQuery, PageQuery, UpdateInstallationBody, UptimeQuery } from '@flotilla/protocol';
import type { InstallationService } from '../../domain/installations/installation-service.js';
import type { DeployService } from '../../domain/installations/deploy-service.js';
import type { AgentCredentialService } from '../../domain/agents/agent-credential-service.js';
import type { ReleaseService } from '../../domain/releases/release-service.js';
import type { UninstallService } from '../../domain/installations/uninstall-service.js';
import type { MetricsService } from '../../domain/installations/metrics-service.js';
import { routeRegistrar, type RouteDeps, type RouteState } from '../route.js';
import { param, parseOrThrow } from '../validate.js';

export function installationRoutes(
  router: Router<RouteState>,
  deps: RouteDeps,
  installations: InstallationService,
  deploys: DeployService,
  credentials: AgentCredentialService,
  releases: ReleaseService,
  uninstalls: UninstallService,
  metrics: MetricsService,
): void {
  const r = routeRegistrar(router, deps);
  r.org('GET /installations', async (ctx, a) => {
    ctx.body = await installations.list(a, parseOrThrow(PageQuery, ctx.query, 'query'));
  });
  r.org('POST /installations', async (ctx, a) => {
    const body = parseOrThrow(CreateInstallationBody, ctx.request.body, 'body');
    ctx.body = await installations.create(a, body);
    ctx.status = 201;
  });
  r.org('GET /installations/:id', async (ctx, a) => {
    ctx.body = await installations.get(a, param(ctx, 'id'));
  });
  r.org('PATCH /installations/:id', async (ctx, a) => {
    const patch = parseOrThrow(UpdateInstallationBody, ctx.request.body, 'body');
    ctx.body = await installations.update(a, param(ctx, 'id'), patch);
    // What changed, without the (possibly long) helm values texts.
    ctx.state.auditDetails = { fields: Object.keys(patch), ...(patch.trackId === undefined ? {} : { trackId: patch.trackId }) };
  });
  /** `?uninstall=true`: the agent removes what it runs first (202, the installation goes when it is done); else at once (204). */
  r.org('DELETE /installations/:id', async (ctx, a) => {
    const { uninstall } = parseOrThrow(DeleteInstallationQuery, ctx.query, 'query');
    if (uninstall) {
      const started = await uninstalls.start(a, param(ctx, 'id'));
      ctx.body = started;
      ctx.status = 202;
      ctx.state.auditDetails = { uninstall: true, commandId: started.commandId };
      return;
    }
    await installations.delete(a, param(ctx, 'id'));
    ctx.status = 204;
  });
  r.org('POST /installations/:id/agent-credentials', async (ctx, a) => {
    ctx.body = await credentials.issue(a, param(ctx, 'id'));
    ctx.status = 201;
  });
  r.org('POST /installations/:id/deploy', async (ctx, a) => {
    const body = parseOrThrow(DeployBody, ctx.request.body, 'body');
    const result = await deploys.deploy(a, a.userId, param(ctx, 'id'), body);
    ctx.body = result;
    ctx.status = 202;
    // A stepped deploy (past required releases) names the rollout that runs its steps.
    ctx.state.auditDetails = { ...body, ...('rolloutId' in result ? { rolloutId: result.rolloutId } : {}) };
  });
  r.org('GET /installations/:id/status', async (ctx, a) => {
    ctx.body = await installations.status(a, param(ctx, 'id'));
  });
  r.org('GET /installations/:id/uptime', async (ctx, a) => {
    const { window } = parseOrThrow(UptimeQuery, ctx.query, 'query');
    ctx.body = await installations.uptime(a, param(ctx, 'id'), window);
  });
  r.org('GET /installations/:id/metrics', async (ctx, a) => {
    const { window } = parseOrThrow(MetricsQuery, ctx.query, 'query');
    ctx.body = await metrics.metrics(a, param(ctx, 'id'), window);
  });
  r.org('GET /installations/:id/events', async (ctx, a) => {
    const q = parseOrThrow(InstallationEventsQuery, ctx.query, 'query');
    ctx.body = await installations.events(a, param(ctx, 'id'), q.limit, q.before);
  });
  /** Releases newer than what the installation runs, that its customer may install. */
  r.org('GET /installations/:id/updates', async (ctx, a) => {
    ctx.body = await releases.updatesFor(await installations.row(a, param(ctx, 'id')));
  });
}

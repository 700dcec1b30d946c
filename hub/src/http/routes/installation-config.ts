import type Router from '@koa/router';
import { PutInstallationConfigBody } from '@flotilla/protocol';
import type { InstallationConfigService } from '../../domain/desired-state/config-service.js';
import { routeRegistrar, type RouteDeps, type RouteState } from '../route.js';
import { param, parseOrThrow } from '../validate.js';

/** Per-installation configuration: environment values, write-only secrets, helm values overrides. */
export function installationConfigRoutes(router: Router<RouteState>, deps: RouteDeps, config: InstallationConfigService): void {
  const r = routeRegistrar(router, deps);
  r.org('GET /installations/:id/config', async (ctx, a) => {
    ctx.body = await config.get(a, param(ctx, 'id'));
  });
  r.org('PUT /installations/:id/config', async (ctx, a) => {
    const body = parseOrThrow(PutInstallationConfigBody, ctx.request.body, 'body');
    ctx.body = await config.put(a, param(ctx, 'id'), body);
    // Which components and keys changed, never a value (secrets least of all).
    ctx.state.auditDetails = {
      components: Object.fromEntries(
        Object.entries(body.components).map(([name, c]) => [
          name,
          {
            ...(c.env === undefined ? {} : { env: Object.keys(c.env) }),
            ...(c.secrets === undefined ? {} : { secretsSet: Object.keys(c.secrets).filter((k) => c.secrets?.[k] !== null), secretsRemoved: Object.keys(c.secrets).filter((k) => c.secrets?.[k] === null) }),
            ...(c.helmValues === undefined ? {} : { helmValues: c.helmValues === null ? 'removed' : 'set' }),
          },
        ]),
      ),
    };
  });
}

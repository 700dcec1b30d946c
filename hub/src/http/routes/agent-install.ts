import type Router from '@koa/router';
import type { AgentCredentialService } from '../../domain/agents/agent-credential-service.js';
import { routeRegistrar, type RouteDeps, type RouteState } from '../route.js';
import { param } from '../validate.js';

/** `GET /agent/install/:token`: the agent's compose file, once. No session needed: the token is the credential. */
export function agentInstallRoutes(router: Router<RouteState>, deps: RouteDeps, credentials: AgentCredentialService): void {
  routeRegistrar(router, deps).public('GET /agent/install/:token', async (ctx) => {
    const manifest = await credentials.installManifest(param(ctx, 'token'));
    ctx.type = 'application/yaml';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = manifest;
  });
}

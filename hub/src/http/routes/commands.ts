import type Router from '@koa/router';
import { CreateCommandBody, PageQuery } from '@flotilla/protocol';
import type { CommandService } from '../../domain/commands/command-service.js';
import { routeRegistrar, type RouteDeps, type RouteState } from '../route.js';
import { param, parseOrThrow } from '../validate.js';

/** Commands to an installation's agent: send one, list them, follow one (with collected logs). */
export function commandRoutes(router: Router<RouteState>, deps: RouteDeps, commands: CommandService): void {
  const r = routeRegistrar(router, deps);
  r.org('POST /installations/:id/commands', async (ctx, a) => {
    const body = parseOrThrow(CreateCommandBody, ctx.request.body, 'body');
    const command = await commands.create(a, param(ctx, 'id'), body);
    ctx.body = command;
    ctx.status = 202;
    ctx.state.auditTarget = param(ctx, 'id');
    ctx.state.auditDetails = { commandId: command.id, type: command.type, ...(command.targets ? { targets: command.targets } : {}), ...(command.agentVersion ? { agentVersion: command.agentVersion } : {}) };
  });
  r.org('GET /installations/:id/commands', async (ctx, a) => {
    ctx.body = await commands.list(a, param(ctx, 'id'), parseOrThrow(PageQuery, ctx.query, 'query'));
  });
  r.org('GET /installations/:id/commands/:commandId', async (ctx, a) => {
    ctx.body = await commands.get(a, param(ctx, 'id'), param(ctx, 'commandId'));
  });
}

import type Router from '@koa/router';
import { AGENT_HTTP, AgentKind, CommandProgress, StatusReport, text, type AgentPollResponse } from '@flotilla/protocol';
import { z } from 'zod';
import { AppError } from '../../errors.js';
import type { AgentIdentity } from '../../domain/agents/agent-repository.js';
import type { AgentSessionService } from '../../domain/agents/agent-session-service.js';
import { routeRegistrar, type RouteContext, type RouteDeps, type RouteState } from '../route.js';
import { parseOrThrow } from '../validate.js';

const h = AGENT_HTTP.headers;
const AgentHeaders = z.object({
  [h.agentVersion]: text(50).min(1).default('unknown'),
  [h.kind]: AgentKind.optional(),
  [h.pollInterval]: z.coerce.number().int().min(1).max(3600).default(5),
});

/** `Authorization: Basic base64(agentId:secret)`. */
export function basicCredentials(header: string | undefined): { agentId: string; secret: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0 || colon === decoded.length - 1) return undefined;
  return { agentId: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}

/**
 * The agent's HTTP polling fallback: the same calls as the `/agent` socket events, authenticated
 * with the agent's credentials instead of a session. Public in the role matrix (no user involved).
 */
export function agentPollingRoutes(router: Router<RouteState>, deps: RouteDeps, sessions: AgentSessionService): void {
  const routes = routeRegistrar(router, deps);
  const agent = async (ctx: RouteContext) => {
    const credentials = basicCredentials(ctx.get('authorization') || undefined);
    if (!credentials) throw new AppError('UNAUTHORIZED', 'Send the agent id and secret as HTTP Basic credentials');
    const headers = parseOrThrow(AgentHeaders, ctx.headers, 'headers');
    const kind = headers[h.kind];
    const identity: AgentIdentity = await sessions.authenticate(kind === undefined ? credentials : { ...credentials, kind }, ctx.ip);
    ctx.set('Cache-Control', 'no-store');
    return { identity, agentVersion: headers[h.agentVersion], pollIntervalSeconds: headers[h.pollInterval] };
  };

  routes.public('GET /agent/state', async (ctx) => {
    const { identity, agentVersion, pollIntervalSeconds } = await agent(ctx);
    const state = await sessions.poll(identity, { agentVersion, ip: ctx.ip, pollIntervalSeconds });
    const body: AgentPollResponse = { ...state, pollIntervalSeconds };
    ctx.body = body;
  });

  routes.public('POST /agent/status', async (ctx) => {
    const { identity } = await agent(ctx);
    ctx.body = await sessions.report(identity, parseOrThrow(StatusReport, ctx.request.body, 'body'), false);
  });

  routes.public('POST /agent/progress', async (ctx) => {
    const { identity } = await agent(ctx);
    ctx.body = await sessions.progress(identity, parseOrThrow(CommandProgress, ctx.request.body, 'body'));
  });
}

import type Router from '@koa/router';
import { AcceptInviteBody, AuditQuery, CreateInviteBody, RemoveMemberQuery, UpdateMemberBody } from '@flotilla/protocol';
import { SESSION_TTL_MS } from '../../domain/auth/auth-service.js';
import type { AuditService } from '../../domain/audit/audit-service.js';
import type { MemberService } from '../../domain/members/member-service.js';
import { setSessionCookie } from '../auth.js';
import { routeRegistrar, type RouteDeps, type RouteState } from '../route.js';
import { param, parseOrThrow } from '../validate.js';

export function memberRoutes(router: Router<RouteState>, deps: RouteDeps, members: MemberService, audit: AuditService, secureCookies: boolean): void {
  const r = routeRegistrar(router, deps);

  r.org('GET /invites', async (ctx, a) => {
    ctx.body = { items: await members.listInvites(a) };
  });
  r.org('POST /invites', async (ctx, a) => {
    const body = parseOrThrow(CreateInviteBody, ctx.request.body, 'body');
    ctx.body = await members.invite(a, body);
    ctx.status = 201;
    ctx.state.auditDetails = { email: body.email, role: body.role, customerId: body.customerId ?? a.customerId };
  });
  r.org('DELETE /invites/:id', async (ctx, a) => {
    await members.revokeInvite(a, param(ctx, 'id'));
    ctx.status = 204;
  });
  r.public('POST /invites/:token/accept', async (ctx) => {
    const body = parseOrThrow(AcceptInviteBody, ctx.request.body, 'body');
    const { sessionToken, vendorId, customerId, ...result } = await members.accept(param(ctx, 'token'), body, { ip: ctx.ip, userAgent: ctx.get('user-agent') || undefined });
    setSessionCookie(ctx, sessionToken, secureCookies, SESSION_TTL_MS);
    ctx.body = result;
    ctx.state.auditSubject = { userId: result.user.id, email: result.user.email, vendorId, customerId };
    ctx.state.auditTarget = result.user.id;
  });

  r.org('GET /users', async (ctx, a) => {
    ctx.body = { items: await members.listMembers(a) };
  });
  r.org('PATCH /users/:id', async (ctx, a) => {
    const body = parseOrThrow(UpdateMemberBody, ctx.request.body, 'body');
    ctx.body = await members.updateRole(a, param(ctx, 'id'), body);
    ctx.state.auditDetails = { role: body.role };
  });
  r.org('DELETE /users/:id', async (ctx, a) => {
    const { customerId } = parseOrThrow(RemoveMemberQuery, ctx.query, 'query');
    await members.remove(a, param(ctx, 'id'), customerId);
    ctx.status = 204;
  });

  r.org('GET /audit', async (ctx, a) => {
    ctx.body = await audit.list(a.vendorId, parseOrThrow(AuditQuery, ctx.query, 'query'));
  });
}

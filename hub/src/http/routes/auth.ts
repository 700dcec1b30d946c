import type Router from '@koa/router';
import { CreateTokenBody, LoginBody, SignupBody, SignupConfirmBody, type LoginResponse, type MeResponse, type SessionInfo, type SignupResponse } from '@flotilla/protocol';
import { AppError } from '../../errors.js';
import { SESSION_TTL_MS, type AuthService } from '../../domain/auth/auth-service.js';
import type { TokenService } from '../../domain/auth/token-service.js';
import { toUser } from '../../domain/auth/auth-repository.js';
import type { Notifier } from '../../domain/shared/notifier.js';
import { setSessionCookie } from '../auth.js';
import { routeRegistrar, type RouteContext, type RouteDeps, type RouteState } from '../route.js';
import { param, parseOrThrow } from '../validate.js';

export function authRoutes(router: Router<RouteState>, deps: RouteDeps, auth: AuthService, tokens: TokenService, notifier: Notifier, secureCookies: boolean): void {
  const r = routeRegistrar(router, deps);
  const meta = (ctx: { ip: string; get(h: string): string }) => ({ ip: ctx.ip, userAgent: ctx.get('user-agent') || undefined });

  const signedUp = (ctx: RouteContext, { sessionToken, ...result }: SignupResponse & { sessionToken: string }) => {
    setSessionCookie(ctx, sessionToken, secureCookies, SESSION_TTL_MS);
    ctx.status = 201;
    ctx.body = result satisfies SignupResponse;
    ctx.state.auditSubject = { userId: result.user.id, email: result.user.email, vendorId: result.vendor.id, customerId: null };
    ctx.state.auditTarget = result.vendor.id;
  };

  r.public('POST /auth/signup', async (ctx) => {
    const body = parseOrThrow(SignupBody, ctx.request.body, 'body');
    const result = await auth.signup(body, meta(ctx));
    if ('confirmBy' in result) {
      ctx.status = 202;
      ctx.body = result;
    } else signedUp(ctx, result);
  });

  r.public('POST /auth/signup/confirm', async (ctx) => {
    const body = parseOrThrow(SignupConfirmBody, ctx.request.body, 'body');
    signedUp(ctx, await auth.confirmSignup(body.token, meta(ctx)));
  });

  r.public('POST /auth/login', async (ctx) => {
    const body = parseOrThrow(LoginBody, ctx.request.body, 'body');
    const { sessionToken, ...result } = await auth.login(body, meta(ctx));
    setSessionCookie(ctx, sessionToken, secureCookies, SESSION_TTL_MS);
    ctx.body = result satisfies LoginResponse;
    const m = result.memberships[0];
    if (m) ctx.state.auditSubject = { userId: result.user.id, email: result.user.email, vendorId: m.vendorId, customerId: m.customerId };
    ctx.state.auditTarget = result.user.id;
  });

  r.user('POST /auth/logout', async (ctx, p) => {
    if (p.sessionId) {
      await auth.logout(p.sessionId);
      notifier.disconnectLive(`session:${p.sessionId}`);
    }
    setSessionCookie(ctx, null, secureCookies, 0);
    ctx.status = 204;
  });

  r.user('GET /me', (ctx, p) => {
    ctx.body = { user: toUser(p.user), memberships: p.memberships } satisfies MeResponse;
  });

  r.user('GET /sessions', async (ctx, p) => {
    const rows = await auth.listSessions(p.user.id);
    ctx.body = {
      items: rows.map(
        (s): SessionInfo => ({ id: s.id, createdAt: s.created_at.toISOString(), expiresAt: s.expires_at.toISOString(), ip: s.ip, userAgent: s.user_agent, current: s.id === p.sessionId }),
      ),
    };
  });

  r.user('DELETE /sessions/:id', async (ctx, p) => {
    const id = param(ctx, 'id');
    if (!(await auth.revokeSession(p.user.id, id))) throw AppError.notFound('Session');
    notifier.disconnectLive(`session:${id}`);
    ctx.status = 204;
  });

  r.user('GET /tokens', async (ctx, p) => {
    ctx.body = { items: await tokens.list(p.user.id) };
  });

  r.user('POST /tokens', async (ctx, p) => {
    const body = parseOrThrow(CreateTokenBody, ctx.request.body, 'body');
    ctx.body = await tokens.create(p, body, ctx.get('x-flotilla-vendor') || undefined);
    ctx.status = 201;
  });

  r.user('DELETE /tokens/:id', async (ctx, p) => {
    const id = param(ctx, 'id');
    await tokens.revoke(p.user.id, id);
    notifier.disconnectLive(`token:${id}`);
    ctx.status = 204;
  });
}

import Router from '@koa/router';
import { LoginBody, SignupBody, type LoginResponse, type MeResponse, type SignupResponse } from '@flotilla/protocol';
import { SESSION_TTL_MS, type AuthService } from '../../domain/auth/auth-service.js';
import { toUser } from '../../domain/auth/auth-repository.js';
import { requirePrincipal, setSessionCookie, type AuthState } from '../auth.js';
import { parseOrThrow } from '../validate.js';

export function authRoutes(auth: AuthService, secureCookies: boolean): Router<AuthState> {
  const router = new Router<AuthState>();
  const meta = (ctx: { ip: string; get(h: string): string }) => ({ ip: ctx.ip, userAgent: ctx.get('user-agent') || undefined });

  router.post('/auth/signup', async (ctx) => {
    const body = parseOrThrow(SignupBody, ctx.request.body, 'body');
    const { sessionToken, ...result } = await auth.signup(body, meta(ctx));
    setSessionCookie(ctx, sessionToken, secureCookies, SESSION_TTL_MS);
    ctx.status = 201;
    ctx.body = result satisfies SignupResponse;
  });

  router.post('/auth/login', async (ctx) => {
    const body = parseOrThrow(LoginBody, ctx.request.body, 'body');
    const { sessionToken, ...result } = await auth.login(body, meta(ctx));
    setSessionCookie(ctx, sessionToken, secureCookies, SESSION_TTL_MS);
    ctx.body = result satisfies LoginResponse;
  });

  router.post('/auth/logout', async (ctx) => {
    const p = ctx.state.principal;
    if (p) await auth.logout(p.sessionId);
    setSessionCookie(ctx, null, secureCookies, 0);
    ctx.status = 204;
  });

  router.get('/me', (ctx) => {
    const p = requirePrincipal(ctx);
    ctx.body = { user: toUser(p.user), memberships: p.memberships } satisfies MeResponse;
  });

  return router;
}

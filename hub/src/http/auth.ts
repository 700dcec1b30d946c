import type { Context, Middleware } from 'koa';
import { AppError } from '../errors.js';
import type { AuthService, Principal } from '../domain/auth/auth-service.js';
import type { RequestState } from './middleware/request-context.js';

export const SESSION_COOKIE = 'flotilla_session';

export interface AuthState extends RequestState {
  principal?: Principal;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Resolves `Authorization: Bearer flt_…` (API token) or the session cookie into
 * `ctx.state.principal`. A bad bearer token is refused outright rather than silently ignored;
 * Basic credentials (agents polling) are left to the agent routes.
 * Cookie-authenticated writes must come from our own origin (CSRF): a browser always sends Origin
 * on cross-site POSTs, and JSON bodies cannot be sent cross-site without a CORS preflight we never grant.
 */
export function authenticate(auth: AuthService, publicUrl: string): Middleware<AuthState> {
  const publicOrigin = new URL(publicUrl).origin;
  return async (ctx, next) => {
    const header = ctx.get('authorization');
    // Basic credentials belong to agents (HTTP polling); those routes check them themselves.
    if (header && !/^Basic\s/i.test(header)) {
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      const principal = match?.[1] ? await auth.resolveToken(match[1]) : undefined;
      if (!principal) throw new AppError('UNAUTHORIZED', 'Invalid, expired or revoked API token');
      ctx.state.principal = principal;
      return next();
    }
    const token = ctx.cookies.get(SESSION_COOKIE);
    if (token) {
      const principal = await auth.resolveSession(token);
      if (principal) {
        if (UNSAFE.has(ctx.method)) assertSameOrigin(ctx, publicOrigin);
        ctx.state.principal = principal;
      }
    }
    await next();
  };
}

function assertSameOrigin(ctx: Context, publicOrigin: string): void {
  const origin = ctx.get('origin');
  if (!origin) return;
  // Not ctx.origin: Koa 3 derives that from the Origin header itself.
  if (origin === publicOrigin || origin === `${ctx.protocol}://${ctx.host}`) return;
  throw new AppError('FORBIDDEN', 'Cross-origin request refused');
}

/**
 * `secureWanted` comes from an https PUBLIC_URL; the flag is only set on requests that arrived over
 * TLS (or via a proxy saying so), since Koa refuses to send a Secure cookie over plain http and the
 * request would fail after its work was done.
 */
export function setSessionCookie(ctx: Context, token: string | null, secureWanted: boolean, maxAgeMs: number): void {
  const secure = secureWanted && ctx.secure;
  ctx.cookies.set(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure, path: '/', maxAge: token ? maxAgeMs : 0, overwrite: true });
}

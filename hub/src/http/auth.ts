import type { Context, Middleware } from 'koa';
import { AppError } from '../errors.js';
import type { AuthService, Principal } from '../domain/auth/auth-service.js';
import type { RequestState } from './middleware/request-context.js';

export const SESSION_COOKIE = 'flotilla_session';

export interface AuthState extends RequestState {
  principal?: Principal;
}

/** A vendor user acting in one vendor: what every vendor-scoped service call receives. */
export interface VendorActor {
  userId: string;
  vendorId: string;
  role: string;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Resolves the session cookie into `ctx.state.principal`. Cookie-authenticated writes must come
 * from our own origin (CSRF): a browser always sends Origin on cross-site POSTs, and JSON bodies
 * cannot be sent cross-site without a CORS preflight we never grant.
 */
export function authenticate(auth: AuthService, publicUrl: string): Middleware<AuthState> {
  const publicOrigin = new URL(publicUrl).origin;
  return async (ctx, next) => {
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

export function requirePrincipal(ctx: { state: AuthState }): Principal {
  const p = ctx.state.principal;
  if (!p) throw new AppError('UNAUTHORIZED', 'Sign in first');
  return p;
}

/**
 * The calling user as a member of a vendor. With several vendor memberships the `X-Flotilla-Vendor`
 * header picks one; a vendor the user does not belong to is simply not found.
 */
export function requireVendorActor(ctx: { state: AuthState; get(name: string): string }): VendorActor {
  const p = requirePrincipal(ctx);
  const wanted = ctx.get('x-flotilla-vendor');
  const vendorMemberships = p.memberships.filter((m) => m.customerId === null && (!wanted || m.vendorId === wanted));
  const m = vendorMemberships[0];
  if (!m) throw wanted ? AppError.notFound('Vendor') : new AppError('FORBIDDEN', 'This account is not a member of a vendor');
  return { userId: p.user.id, vendorId: m.vendorId, role: m.role };
}

export function setSessionCookie(ctx: Context, token: string | null, secure: boolean, maxAgeMs: number): void {
  ctx.cookies.set(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure, path: '/', maxAge: token ? maxAgeMs : 0, overwrite: true });
}

import type Router from '@koa/router';
import type { Context } from 'koa';
import { isStorableText } from '@flotilla/protocol';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Principal } from '../domain/auth/auth-service.js';
import { decide, type Actor } from '../domain/access/roles.js';
import type { AuditService } from '../domain/audit/audit-service.js';
import { auditTarget } from '../domain/audit/audit-target.js';
import { RateLimitedError, type RateLimiter } from '../infra/index.js';
import { ROUTES, requiredRole, type OrgRoute, type PublicRoute, type RouteKey, type UserRoute } from './route-access.js';
import type { AuthState } from './auth.js';

/** Who to record in the audit log when a public route (sign-up, login, invite) acts for a new user. */
export interface AuditSubject {
  userId: string;
  email: string;
  vendorId: string;
  customerId: string | null;
}

export interface RouteState extends AuthState {
  actor?: Actor;
  auditSubject?: AuditSubject;
  auditTarget?: string;
  auditDetails?: Record<string, unknown>;
}

export type RouteContext = Context & { state: RouteState; params: Record<string, string | undefined> };

export interface RouteDeps {
  audit: AuditService;
  /** The general per-session / per-token API limit. */
  apiLimiter: RateLimiter;
  log: Logger;
}

/**
 * Registers routes by their key in the role matrix (ROUTES), enforcing its access rule before the
 * handler, the API rate limit, and the audit entry after a successful state change. A route that is
 * not in the matrix cannot be registered; a public/user/org route cannot be registered as another kind.
 */
export function routeRegistrar(router: Router<RouteState>, deps: RouteDeps) {
  const register = (key: RouteKey, guard: (ctx: RouteContext) => Promise<void>, handler: (ctx: RouteContext) => unknown) => {
    const [method, path] = key.split(' ') as [string, string];
    const rule = ROUTES[key];
    router.register(path, [method], async (ctx) => {
      const rctx = ctx as RouteContext;
      await guard(rctx);
      // Ids are stored text: a path parameter PostgreSQL could not even compare names nothing.
      if (Object.values(rctx.params).some((v) => v !== undefined && !isStorableText(v))) throw new AppError('NOT_FOUND', 'Not found');
      // A deletion's target is named before it goes.
      const nameBefore = 'audit' in rule && method === 'DELETE' ? await targetNameOf(rctx, rule.audit, deps) : undefined;
      await handler(rctx);
      if ('audit' in rule && rctx.status < 400) await recordAudit(rctx, rule.audit, deps, nameBefore);
    });
  };

  const limit = async (p: Principal) => {
    try {
      await deps.apiLimiter.hit(p.tokenId ?? p.sessionId ?? p.user.id);
    } catch (err) {
      if (err instanceof RateLimitedError) throw new AppError('RATE_LIMITED', `API rate limit exceeded; retry in ${err.retryAfterSeconds} s`, { retryAfterSeconds: err.retryAfterSeconds });
      throw err;
    }
  };

  const principalOf = async (ctx: RouteContext): Promise<Principal> => {
    const p = ctx.state.principal;
    if (!p) throw new AppError('UNAUTHORIZED', 'Sign in or present an API token');
    await limit(p);
    return p;
  };

  return {
    public(key: PublicRoute, handler: (ctx: RouteContext) => unknown) {
      register(key, async () => undefined, handler);
    },
    user(key: UserRoute, handler: (ctx: RouteContext, principal: Principal) => unknown) {
      register(key, async (ctx) => void (await principalOf(ctx)), (ctx) => handler(ctx, ctx.state.principal as Principal));
    },
    org(key: OrgRoute, handler: (ctx: RouteContext, actor: Actor) => unknown) {
      const access = ROUTES[key].access;
      register(
        key,
        async (ctx) => {
          const p = await principalOf(ctx);
          const decision = decide(access, p.memberships, ctx.get('x-flotilla-vendor') || undefined);
          if (!decision.allowed) {
            if (decision.reason === 'not-found') throw new AppError('NOT_FOUND', 'Not found');
            throw new AppError('FORBIDDEN', `Your role may not do this (${key} needs ${describe(access)})`, { required: requiredRole(key) });
          }
          const m = decision.membership;
          ctx.state.actor = { userId: p.user.id, vendorId: m.vendorId, customerId: m.customerId, role: m.role, tokenId: p.tokenId };
        },
        (ctx) => handler(ctx, ctx.state.actor as Actor),
      );
    },
  };
}

function describe(access: (typeof ROUTES)[RouteKey]['access']): string {
  if (access.kind === 'vendor') return `vendor ${access.vendor}`;
  if (access.kind === 'tenant') return access.customer ? `vendor ${access.vendor} or customer ${access.customer}` : `vendor ${access.vendor}`;
  return access.kind;
}

/** The organisation an audit entry belongs to: the acting membership, the new user's, or the principal's first. */
function auditOrg(ctx: RouteContext): { vendorId: string; customerId: string | null } | undefined {
  const { actor, principal, auditSubject } = ctx.state;
  return actor ?? auditSubject ?? (principal?.memberships[0] ? { vendorId: principal.memberships[0].vendorId, customerId: principal.memberships[0].customerId } : undefined);
}

function targetOf(ctx: RouteContext, action: string) {
  const body = ctx.body as { id?: unknown } | undefined;
  return auditTarget({ action, params: ctx.params, answerId: typeof body?.id === 'string' ? body.id : undefined, explicitId: ctx.state.auditTarget });
}

/** The target's name, or null; a failed lookup costs the entry its name, never the entry. */
async function targetNameOf(ctx: RouteContext, action: string, deps: RouteDeps): Promise<string | null> {
  const org = auditOrg(ctx);
  if (!org) return null;
  const target = targetOf(ctx, action);
  try {
    return await deps.audit.targetName(org.vendorId, target.type, target.id);
  } catch (err) {
    deps.log.warn({ err, action }, 'could not name the audit target');
    return null;
  }
}

async function recordAudit(ctx: RouteContext, action: string, deps: RouteDeps, nameBefore: string | null | undefined): Promise<void> {
  const { principal, auditSubject } = ctx.state;
  const org = auditOrg(ctx);
  if (!org) return;
  const target = targetOf(ctx, action);
  const details = { ...target.details, ...ctx.state.auditDetails };
  const targetName = nameBefore !== undefined ? nameBefore : await targetNameOf(ctx, action, deps);
  try {
    await deps.audit.record({
      vendorId: org.vendorId,
      customerId: org.customerId,
      actorUserId: principal?.user.id ?? auditSubject?.userId ?? null,
      actorTokenId: principal?.tokenId ?? null,
      actorEmail: principal?.user.email ?? auditSubject?.email ?? null,
      action,
      targetType: target.type,
      targetId: target.id,
      targetName,
      ip: ctx.ip || null,
      ...(Object.keys(details).length > 0 ? { details } : {}),
    });
  } catch (err) {
    // The action happened; losing its audit line must be loud, not a failed response.
    deps.log.error({ err, action }, 'could not write the audit log');
  }
}

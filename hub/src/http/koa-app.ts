import Koa from 'koa';
import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import type { Logger } from '../logger.js';
import { AppError } from '../errors.js';
import { errorHandler } from './middleware/error-handler.js';
import { securityHeaders } from './middleware/security-headers.js';
import { requestContext, type RequestState } from './middleware/request-context.js';
import type { RouteState } from './route.js';

export interface KoaAppOptions {
  logger: Logger;
  /** Middleware run for every request after body parsing (authentication, static portal). */
  middleware?: Koa.Middleware[];
  /** Routers mounted at the root, before `middleware` (probes, metrics, API reference). */
  rootRouters: Router[];
  /** The router mounted under /api/v1. */
  apiRouter: Router<RouteState>;
  /** Told of every answered request (metrics): route template, method, status, seconds. */
  onAnswered?: (route: string, method: string, status: number, seconds: number) => void;
  /** Trust X-Forwarded-For/-Proto (only behind a proxy that sets them; otherwise clients could spoof their IP). */
  trustProxy: boolean;
  /** Served over https (its public URL): browsers are told to keep to it (HSTS). */
  https: boolean;
}

export function createKoaApp(opts: KoaAppOptions): Koa<RequestState> {
  const app = new Koa<RequestState>({ proxy: opts.trustProxy });
  app.silent = true; // the error middleware logs; Koa's default handler would print twice
  const onAnswered = opts.onAnswered;
  if (onAnswered) app.use(observe(onAnswered));
  app.use(requestContext(opts.logger));
  app.use(securityHeaders(opts.https));
  app.use(errorHandler());
  app.use(bodyParser({ enableTypes: ['json'], jsonLimit: '2mb', encoding: 'utf-8', onError: bodyError }));

  // Probes, metrics and the API reference answer before sign-in is looked at: their callers
  // (balancers, scrapers with their own token) hold no session.
  for (const r of opts.rootRouters) app.use(r.routes()).use(r.allowedMethods());
  for (const m of opts.middleware ?? []) app.use(m);

  const api = new Router({ prefix: '/api/v1' });
  api.use(opts.apiRouter.routes(), opts.apiRouter.allowedMethods());
  app.use(api.routes()).use(api.allowedMethods());
  return app;
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * Times each request to its answer. Labels stay bounded: the route template (never the path with
 * its ids), 'static' for the portal's files and 'unmatched' for anything no route took.
 */
function observe(onAnswered: NonNullable<KoaAppOptions['onAnswered']>): Koa.Middleware {
  return async (ctx, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      const matched = (ctx as { _matchedRoute?: unknown })._matchedRoute;
      const route = typeof matched === 'string' ? matched : ctx.status === 404 ? 'unmatched' : 'static';
      onAnswered(route, METHODS.has(ctx.method) ? ctx.method : 'OTHER', ctx.status, (performance.now() - started) / 1000);
    }
  };
}

/** co-body's parse errors mostly lack `expose`; give each one its catalogue code and a clear message. */
function bodyError(err: Error): never {
  const status = (err as { status?: unknown }).status;
  if (status === 413) throw new AppError('PAYLOAD_TOO_LARGE', 'Request body is larger than 2 MB');
  if (status === 415) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send JSON (Content-Type: application/json)');
  throw new AppError('VALIDATION_FAILED', `Request body is not valid JSON: ${err.message}`);
}

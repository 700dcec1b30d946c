import { access } from 'node:fs/promises';
import path from 'node:path';
import type { Middleware } from 'koa';
import serve from 'koa-static';
import send from 'koa-send';

const NOT_SPA = /^\/(api|socket\.io|healthz|readyz|metrics)(\/|$)/;

/**
 * Serves the built portal: its files, and index.html for any other GET that a browser navigates to
 * (history-mode routes like /installations/123). API paths and /assets/ never fall back to the SPA.
 */
export function portal(dir: string): Middleware {
  const files = serve(dir, { index: 'index.html', maxage: 0, gzip: false, brotli: false });
  let available: Promise<boolean> | undefined;
  return async (ctx, next) => {
    if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || NOT_SPA.test(ctx.path)) return next();
    // Remember only success: a portal built after the hub started is picked up on the next request.
    available ??= access(path.join(dir, 'index.html')).then(() => true, () => false);
    if (!(await available)) {
      available = undefined;
      return next();
    }
    await files(ctx, async () => undefined);
    if (ctx.body !== undefined || ctx.status !== 404) {
      // Hashed assets can be cached forever; index.html must always be revalidated.
      ctx.set('Cache-Control', ctx.path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
      return;
    }
    // A missing hashed asset (a stale tab after a redeploy) is a 404, not index.html served as JavaScript.
    if (ctx.path.startsWith('/assets/') || !ctx.accepts('html')) return next();
    await send(ctx, 'index.html', { root: dir });
    ctx.set('Cache-Control', 'no-cache');
  };
}

import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Context, Middleware } from 'koa';
import serve from 'koa-static';
import send from 'koa-send';
import type { PublicBrand } from '@flotilla/protocol';
import { brandIndexHtml } from './branded-index.js';

const NOT_SPA = /^\/(api|socket\.io|healthz|readyz|metrics)(\/|$)/;
/** The hub's own icon: a vendor's domain shows the vendor's instead (or none). */
const HUB_FAVICON = '/favicon.svg';

/** The brand of a request's host name, or null on the hub's own names. */
export type HostBrand = (hostname: string) => Promise<PublicBrand | null>;

/**
 * Serves the built portal: its files, and index.html for any other GET that a browser navigates to
 * (history-mode routes like /installations/123). API paths and /assets/ never fall back to the SPA.
 * On a vendor's custom domain index.html carries the vendor's title and favicon.
 */
export function portal(dir: string, hostBrand?: HostBrand): Middleware {
  const files = serve(dir, { index: 'index.html', maxage: 0, gzip: false, brotli: false });
  let available: Promise<boolean> | undefined;

  /** index.html, as the host's brand wants it. */
  const sendIndex = async (ctx: Context): Promise<void> => {
    const brand = hostBrand ? await hostBrand(ctx.hostname) : null;
    ctx.set('Cache-Control', 'no-cache');
    if (!brand) {
      await send(ctx, 'index.html', { root: dir });
      return;
    }
    ctx.type = 'html';
    ctx.body = brandIndexHtml(await readFile(path.join(dir, 'index.html'), 'utf8'), brand);
  };

  return async (ctx, next) => {
    if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || NOT_SPA.test(ctx.path)) return next();
    // Remember only success: a portal built after the hub started is picked up on the next request.
    available ??= access(path.join(dir, 'index.html')).then(() => true, () => false);
    if (!(await available)) {
      available = undefined;
      return next();
    }
    if (ctx.path === '/' || ctx.path === '/index.html') return sendIndex(ctx);
    const brand = ctx.path === HUB_FAVICON && hostBrand ? await hostBrand(ctx.hostname) : null;
    if (brand) return brand.faviconUrl ? ctx.redirect(brand.faviconUrl) : next();
    await files(ctx, async () => undefined);
    if (ctx.body !== undefined || ctx.status !== 404) {
      // Hashed assets can be cached forever; other files must always be revalidated.
      ctx.set('Cache-Control', ctx.path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
      return;
    }
    // A missing hashed asset (a stale tab after a redeploy) is a 404, not index.html served as JavaScript.
    if (ctx.path.startsWith('/assets/') || !ctx.accepts('html')) return next();
    await sendIndex(ctx);
  };
}

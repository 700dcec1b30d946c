import type Router from '@koa/router';
import { BrandImageKind, UpdateBrandingBody } from '@flotilla/protocol';
import type { BrandingService } from '../../domain/branding/branding-service.js';
import { AppError } from '../../errors.js';
import { routeRegistrar, type RouteDeps, type RouteState } from '../route.js';
import { param, parseOrThrow } from '../validate.js';

/**
 * Sandboxes an SVG opened directly (not through <img>): no script, no plug-in, no outside fetch,
 * even if something slipped past the sanitiser.
 */
const SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox";

export function brandingRoutes(router: Router<RouteState>, deps: RouteDeps, branding: BrandingService): void {
  const r = routeRegistrar(router, deps);
  // Before sign-in: the login page of a vendor's domain draws that vendor.
  r.public('GET /branding/host', async (ctx) => {
    ctx.set('Cache-Control', 'no-cache');
    ctx.body = { brand: await branding.forHost(ctx.hostname) };
  });
  r.public('GET /branding/:vendorId/:image', async (ctx) => {
    // An image that is not a kind is a path that does not exist.
    const kind = BrandImageKind.safeParse(ctx.params.image);
    if (!kind.success) throw AppError.notFound('Image');
    const image = await branding.image(param(ctx, 'vendorId'), kind.data);
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Cache-Control', 'public, max-age=300');
    if (image.contentType === 'image/svg+xml') ctx.set('Content-Security-Policy', SVG_CSP);
    ctx.etag = image.hash;
    ctx.type = image.contentType;
    ctx.status = 200;
    if (ctx.fresh) {
      ctx.status = 304;
      return;
    }
    ctx.body = image.data;
  });
  r.org('GET /branding', async (ctx, a) => {
    ctx.body = await branding.get(a.vendorId);
  });
  r.org('PATCH /branding', async (ctx, a) => {
    const body = parseOrThrow(UpdateBrandingBody, ctx.request.body, 'body');
    ctx.body = await branding.update(a.vendorId, body);
    ctx.state.auditTarget = a.vendorId;
    ctx.state.auditDetails = { changed: Object.keys(body) };
  });
}

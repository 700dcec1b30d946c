import helmet from 'helmet';
import type { Middleware } from 'koa';

/**
 * The policy every response carries. The portal and the API reference load scripts only from the
 * hub (Vite's build has no inline script; Swagger UI's start-up is a file, /api/docs/init.js);
 * styles may be inline (Vue's style bindings). Nothing may frame the hub (clickjacking).
 */
export const CONTENT_SECURITY_POLICY = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'", 'data:', 'blob:'],
  'font-src': ["'self'", 'data:'],
  // The portal's /live socket and API calls go to the hub itself ('self' covers ws:/wss: there).
  'connect-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
};

/**
 * Security headers on every response, errors included (helmet's set, tuned): CSP, nosniff,
 * X-Frame-Options DENY, a Referrer-Policy that keeps invite and install links in URLs from other
 * sites (same-origin: the hub's own requests keep their Origin for the CSRF check), HSTS when the
 * hub is served over https.
 */
export function securityHeaders(https: boolean): Middleware {
  const headers = helmet({
    contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
    referrerPolicy: { policy: 'same-origin' },
    frameguard: { action: 'deny' },
    strictTransportSecurity: https ? { maxAge: 180 * 86_400 } : false,
  });
  return async (ctx, next) => {
    await new Promise<void>((resolve, reject) => headers(ctx.req, ctx.res, (err?: unknown) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve())));
    await next();
  };
}

import { timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import Router from '@koa/router';
import { AppError } from '../../errors.js';
import type { HubMetrics } from '../../infra/metrics.js';

/**
 * `GET /metrics` in Prometheus' text format. With METRICS_TOKEN set, a scraper presents it as a
 * bearer token; without one, only loopback clients are answered (the client address as Koa sees it,
 * so behind a trusted proxy the forwarded one: the proxy's own address does not open it to everyone).
 */
export function metricsRoutes(metrics: HubMetrics, token: string | undefined): Router {
  const router = new Router();
  router.get('/metrics', async (ctx) => {
    if (token !== undefined) {
      if (!sameSecret(bearerOf(ctx.get('authorization')), token)) throw new AppError('UNAUTHORIZED', 'Present the metrics token (METRICS_TOKEN) as a bearer token');
    } else if (!isLoopback(ctx.ip)) {
      throw new AppError('FORBIDDEN', 'Metrics are answered to loopback clients only; set METRICS_TOKEN to scrape from elsewhere');
    }
    ctx.type = metrics.contentType;
    ctx.body = await metrics.text();
  });
  return router;
}

function bearerOf(header: string): string {
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1] ?? '';
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** 127.0.0.0/8, ::1 and IPv4-mapped loopback (::ffff:127.x.y.z). */
export function isLoopback(address: string): boolean {
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (isIP(v4) === 4) return v4.startsWith('127.');
  return address === '::1';
}

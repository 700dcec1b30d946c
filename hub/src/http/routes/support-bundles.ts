import { Readable } from 'node:stream';
import type Router from '@koa/router';
import { CreateSupportBundleBody, RejectSupportBundleBody, UpdateSupportBundlePolicyBody } from '@flotilla/protocol';
import type { SupportBundleService } from '../../domain/support-bundles/support-bundle-service.js';
import { routeRegistrar, type RouteDeps, type RouteState } from '../route.js';
import { param, parseOrThrow } from '../validate.js';

/** Support bundles: ask for one, follow it, approve or reject it (customers), download it; the customer's approval rule. */
export function supportBundleRoutes(router: Router<RouteState>, deps: RouteDeps, bundles: SupportBundleService): void {
  const r = routeRegistrar(router, deps);
  r.org('POST /installations/:id/support-bundles', async (ctx, a) => {
    const bundle = await bundles.request(a, param(ctx, 'id'), parseOrThrow(CreateSupportBundleBody, ctx.request.body ?? {}, 'body'));
    ctx.body = bundle;
    ctx.status = 202;
    ctx.state.auditDetails = { status: bundle.status, logLines: bundle.logLines };
  });
  r.org('GET /installations/:id/support-bundles', async (ctx, a) => {
    ctx.body = await bundles.list(a, param(ctx, 'id'));
  });
  r.org('GET /support-bundles/:id', async (ctx, a) => {
    ctx.body = await bundles.get(a, param(ctx, 'id'));
  });
  r.org('GET /support-bundles/:id/download', async (ctx, a) => {
    const download = await bundles.download(a, param(ctx, 'id'));
    ctx.set('content-type', 'application/gzip');
    ctx.set('content-disposition', `attachment; filename="${download.filename}"`);
    ctx.set('cache-control', 'no-store');
    ctx.length = download.bytes;
    ctx.body = Readable.from(download.body);
    ctx.state.auditDetails = { bytes: download.bytes };
  });
  r.org('POST /support-bundles/:id/approve', async (ctx, a) => {
    ctx.body = await bundles.approve(a, param(ctx, 'id'));
  });
  r.org('POST /support-bundles/:id/reject', async (ctx, a) => {
    const body = parseOrThrow(RejectSupportBundleBody, ctx.request.body ?? {}, 'body');
    ctx.body = await bundles.reject(a, param(ctx, 'id'), body.reason);
  });
  r.org('GET /customers/:id/support-bundle-policy', async (ctx, a) => {
    ctx.body = await bundles.policy(a, param(ctx, 'id'));
  });
  r.org('PUT /customers/:id/support-bundle-policy', async (ctx, a) => {
    ctx.body = await bundles.setPolicy(a, param(ctx, 'id'), parseOrThrow(UpdateSupportBundlePolicyBody, ctx.request.body, 'body'));
  });
}

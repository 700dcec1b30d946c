import type Router from '@koa/router';
import { HUB_VERSION } from '../../version.js';
import { openApiDocument } from '../openapi.js';
import { routeRegistrar, type RouteDeps, type RouteState } from '../route.js';

/** `GET /api/v1/openapi.json`: generated once per process (it only changes with the code). */
export function openApiRoutes(router: Router<RouteState>, deps: RouteDeps, publicUrl: string): void {
  let document: string | undefined;
  routeRegistrar(router, deps).public('GET /openapi.json', (ctx) => {
    document ??= JSON.stringify(openApiDocument({ version: HUB_VERSION, publicUrl }));
    ctx.type = 'application/json';
    ctx.set('Cache-Control', 'no-cache');
    ctx.body = document;
  });
}

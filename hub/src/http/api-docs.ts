import { createRequire } from 'node:module';
import path from 'node:path';
import Router from '@koa/router';
import send from 'koa-send';

/** The viewer's files, shipped in the hub's dependencies: the page works offline. */
const VIEWER_DIR = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const VIEWER_FILES = new Set(['swagger-ui.css', 'swagger-ui-bundle.js']);

/**
 * Relative URLs (`docs/…`, `v1/openapi.json`) so the page also works behind a path prefix. No inline
 * script or style: the page runs under `script-src 'self'`.
 */
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Flotilla API reference</title>
<link rel="stylesheet" href="docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="docs/swagger-ui-bundle.js"></script>
<script src="docs/init.js"></script>
</body>
</html>
`;

const INIT = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: 'v1/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
    validatorUrl: null,
    defaultModelsExpandDepth: 0,
    displayOperationId: true,
    persistAuthorization: false,
  });
});
`;

/**
 * `GET /api/docs`: the OpenAPI reference rendered by Swagger UI from `/api/v1/openapi.json`. The page
 * itself loads only from the hub, so its CSP can forbid inline scripts and other origins.
 */
export function apiDocsRoutes(): Router {
  const router = new Router();
  // Its Content-Security-Policy is the hub's own (security-headers.ts).
  router.get('/api/docs', (ctx) => {
    ctx.set('Cache-Control', 'no-cache');
    ctx.type = 'html';
    ctx.body = PAGE;
  });
  router.get('/api/docs/', (ctx) => ctx.redirect('/api/docs'));
  router.get('/api/docs/init.js', (ctx) => {
    ctx.type = 'application/javascript';
    ctx.set('Cache-Control', 'no-cache');
    ctx.body = INIT;
  });
  router.get('/api/docs/:file', async (ctx) => {
    if (!VIEWER_FILES.has(ctx.params.file ?? '')) return;
    await send(ctx, ctx.params.file as string, { root: VIEWER_DIR });
    ctx.set('Cache-Control', 'public, max-age=86400');
  });
  return router;
}

/**
 * The SDK's browser-safe part (`@flotilla/sdk/client`): the typed REST client, its errors and the
 * route types. Nothing here imports a Node module (the package's main entry also has the license
 * check, on `node:crypto`), so a web page's bundler can take it as it is.
 */
export { FlotillaClient, fillPath, supportBundleDownloadHref, type ClientOptions } from './client.js';
export { FlotillaError, errorFromResponse, type RequiredRole } from './errors.js';
export type { BodyOf, ItemOf, PagedRouteKey, PathParams, QueryOf, RequestArgs, RequestOptions, ResponseOf } from './types.js';
export { FINISHED_BUNDLE_STATUSES } from './support-bundles.js';

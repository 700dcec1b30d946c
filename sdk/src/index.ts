export { FlotillaClient, fillPath, supportBundleDownloadHref, type ClientOptions } from './client.js';
export { FlotillaError, errorFromResponse, type RequiredRole } from './errors.js';
export { LiveClient, type LiveEventName, type LiveGap, type LiveOptions, type LivePayload, type LiveState } from './live.js';
export { FINISHED_ROLLOUT_STATUSES, followRollout, type FollowRolloutOptions } from './follow-rollout.js';
export type { BodyOf, ItemOf, PagedRouteKey, PathParams, QueryOf, RequestArgs, RequestOptions, ResponseOf } from './types.js';
export { verifyLicense, type LicenseCheck } from './license.js';
export { FINISHED_BUNDLE_STATUSES } from './support-bundles.js';

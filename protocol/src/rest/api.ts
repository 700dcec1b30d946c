import type { RouteContract } from './route-contract.js';
import { IDENTITY_ROUTES } from './identity-routes.js';
import { EVENT_ROUTES } from './event-routes.js';
import { CATALOG_ROUTES } from './catalog-routes.js';
import { INSTALLATION_ROUTES } from './installation-routes.js';
import { RELEASE_ROUTES } from './release-routes.js';
import { AGENT_ROUTES } from './agent-routes.js';

export type { RouteContract } from './route-contract.js';

/**
 * Every REST route under `/api/v1`, keyed like the hub's role matrix (`METHOD /path/:param`), in the
 * order the reference shows them; each area's routes live in its own file.
 */
export const API = {
  ...IDENTITY_ROUTES,
  ...EVENT_ROUTES,
  ...CATALOG_ROUTES,
  ...INSTALLATION_ROUTES,
  ...RELEASE_ROUTES,
  ...AGENT_ROUTES,
} as const satisfies Record<string, RouteContract>;

export type ApiRouteKey = keyof typeof API;

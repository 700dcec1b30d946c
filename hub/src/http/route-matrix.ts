import type { Access } from '@flotilla/protocol';
import { ROUTES, LIVE_ACTIONS, LIVE_ROOMS, type RouteKey } from './route-access.js';

/** Who may call a route, in words (the README's matrix and the OpenAPI document). */
export function who(key: RouteKey): string {
  return whoMay(ROUTES[key].access);
}

function whoMay(a: Access): string {
  switch (a.kind) {
    case 'public':
      return 'anyone';
    case 'user':
      return 'any signed-in user (own items)';
    case 'vendor':
      return `vendor ${a.vendor}+`;
    case 'tenant':
      return a.customer ? `vendor ${a.vendor}+, customer ${a.customer}+ (own customer)` : `vendor ${a.vendor}+`;
  }
}

/** The role matrix as a markdown table; the README embeds it and a test keeps the two equal. */
export function roleMatrixMarkdown(): string {
  const rows = (Object.keys(ROUTES) as RouteKey[]).map((k) => {
    const rule = ROUTES[k] as { audit?: string };
    return `| \`${k}\` | ${who(k)} | ${rule.audit ? `\`${rule.audit}\`` : ''} |`;
  });
  const live = Object.entries(LIVE_ROOMS).map(([room, text]) => `| \`/live\` room \`${room}\` | ${text} | |`);
  const actions = Object.entries(LIVE_ACTIONS).map(([event, rule]) => `| \`/live\` event \`${event}\` | ${whoMay(rule.access)} | |`);
  return ['| route (`/api/v1`) | who may call it | audit action |', '|---|---|---|', ...rows, ...live, ...actions].join('\n');
}

import { ROUTES, LIVE_ROOMS, type RouteKey } from './route-access.js';

/** Who may call a route, in words (the README's matrix and the OpenAPI document). */
export function who(key: RouteKey): string {
  const a = ROUTES[key].access;
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
  return ['| route (`/api/v1`) | who may call it | audit action |', '|---|---|---|', ...rows, ...live].join('\n');
}

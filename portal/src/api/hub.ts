import { FlotillaClient, type FlotillaError } from '@flotilla/sdk/client';

type UnauthorizedListener = (err: FlotillaError) => void;
let onUnauthorized: UnauthorizedListener | null = null;

/**
 * Whether a 401 from this route (`POST /auth/login`) means "your session ended". Not for the public
 * routes, where a 401 is an answer about the form (wrong password at login, wrong current password
 * accepting an invite).
 */
export function endsSessionOn401(route: string): boolean {
  const path = route.slice(route.indexOf(' ') + 1);
  return !path.startsWith('/auth/') && path !== '/invites/:token/accept';
}

/** Called for every 401 except on the public routes (the app sends the user to /login). */
export function setUnauthorizedHandler(listener: UnauthorizedListener | null): void {
  onUnauthorized = listener;
}

/**
 * The portal's one client of the hub's REST API: the SDK's, same origin, the session cookie doing
 * the auth (the hub's CSRF check reads the Origin the browser sets on writes).
 */
export const hub = new FlotillaClient({
  url: '',
  onError: (err) => {
    if (err.status === 401 && endsSessionOn401(err.route)) onUnauthorized?.(err);
  },
});

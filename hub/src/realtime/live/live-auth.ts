import { liveRooms } from '@flotilla/protocol';
import type { AuthService } from '../../domain/auth/auth-service.js';
import { SESSION_COOKIE } from '../../http/auth.js';

export interface LiveHandshake {
  headers: Record<string, string | string[] | undefined>;
  auth: Record<string, unknown>;
}

/** Who may join which `/live` rooms; undefined = refuse the connection. */
export type LiveAuthenticator = (handshake: LiveHandshake) => Promise<{ rooms: string[] } | null>;

function cookieValue(header: string | string[] | undefined, name: string): string | undefined {
  const raw = Array.isArray(header) ? header.join('; ') : header;
  if (!raw) return undefined;
  for (const part of raw.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

/** Browsers authenticate `/live` with their session cookie: vendor users join their vendor's room. */
export function sessionLiveAuthenticator(auth: AuthService): LiveAuthenticator {
  return async (handshake) => {
    const token = cookieValue(handshake.headers.cookie, SESSION_COOKIE);
    if (!token) return null;
    const principal = await auth.resolveSession(token);
    if (!principal) return null;
    const rooms = principal.memberships.map((m) => (m.customerId ? liveRooms.customer(m.customerId) : liveRooms.vendor(m.vendorId)));
    return { rooms };
  };
}

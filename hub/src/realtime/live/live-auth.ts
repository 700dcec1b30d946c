import { liveRooms, type Membership } from '@flotilla/protocol';
import type { AuthService } from '../../domain/auth/auth-service.js';
import { SESSION_COOKIE } from '../../http/auth.js';

export interface LiveHandshake {
  headers: Record<string, string | string[] | undefined>;
  auth: Record<string, unknown>;
}

/** Who may join which `/live` rooms (and act as whom in client events); null = refuse the connection. */
export type LiveAuthenticator = (handshake: LiveHandshake) => Promise<{ rooms: string[]; memberships?: Membership[] } | null>;

function cookieValue(header: string | string[] | undefined, name: string): string | undefined {
  const raw = Array.isArray(header) ? header.join('; ') : header;
  if (!raw) return undefined;
  for (const part of raw.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

function bearer(handshake: LiveHandshake): string | undefined {
  if (typeof handshake.auth.token === 'string') return handshake.auth.token;
  const header = handshake.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match?.[1];
}

/**
 * `/live` accepts an API token (`auth: {token}` or an Authorization header) or the browser's
 * session cookie. Vendor members join their vendor's room, customer members their customer's; every
 * socket also joins rooms named after its session or token and its user, so revoking one (or
 * removing the member) disconnects it at once, on every hub process.
 */
export function sessionLiveAuthenticator(auth: AuthService): LiveAuthenticator {
  return async (handshake) => {
    const token = bearer(handshake);
    const cookie = cookieValue(handshake.headers.cookie, SESSION_COOKIE);
    const principal = token ? await auth.resolveToken(token) : cookie ? await auth.resolveSession(cookie) : undefined;
    if (!principal) return null;
    const rooms = principal.memberships.map((m) => (m.customerId ? liveRooms.customer(m.customerId) : liveRooms.vendor(m.vendorId)));
    rooms.push(`user:${principal.user.id}`);
    if (principal.sessionId) rooms.push(`session:${principal.sessionId}`);
    if (principal.tokenId) rooms.push(`token:${principal.tokenId}`);
    return { rooms, memberships: principal.memberships };
  };
}

import type { Socket } from 'socket.io';

type Handshake = Socket['handshake'];

/**
 * The client's address of a socket handshake, as Koa's `ctx.ip` gives it for HTTP: behind a trusted
 * proxy the first X-Forwarded-For entry, else the peer. Without it, every agent behind the proxy
 * would share the proxy's address (and its per-address limit).
 */
export function handshakeAddress(handshake: Pick<Handshake, 'address' | 'headers'>, trustProxy: boolean): string {
  if (trustProxy) {
    const header = handshake.headers['x-forwarded-for'];
    const first = (Array.isArray(header) ? header[0] : header)?.split(',')[0]?.trim();
    if (first) return first;
  }
  return handshake.address;
}

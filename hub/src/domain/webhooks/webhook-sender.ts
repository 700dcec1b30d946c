import { lookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { blockedReason } from './address-policy.js';

export interface SendOptions {
  /** Let webhooks reach loopback and private networks (WEBHOOK_ALLOW_PRIVATE; tests, on-premises hubs). */
  allowPrivate: boolean;
  timeoutMs: number;
}

export interface SendResult {
  /** The HTTP status, or null when no answer came (then `error` says why). */
  status: number | null;
  excerpt: string | null;
  error: string | null;
  durationMs: number;
}

/** Bytes of an answer kept in the delivery log. */
export const RESPONSE_EXCERPT_BYTES = 1024;

export class TargetRefusedError extends Error {
  override name = 'TargetRefusedError';
}

/**
 * Resolves the URL's host and checks every address it has (a name with one public and one private
 * address is refused: the connection could go to either). Returns the address to connect to.
 */
export async function resolveTarget(url: URL, allowPrivate: boolean): Promise<{ address: string; family: number }> {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  let addresses: { address: string; family: number }[];
  try {
    addresses = await lookup(host, { all: true, verbatim: true });
  } catch (err) {
    throw new TargetRefusedError(`cannot resolve ${host}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const first = addresses[0];
  if (!first) throw new TargetRefusedError(`${host} has no address`);
  if (!allowPrivate) {
    for (const a of addresses) {
      const reason = blockedReason(a.address);
      if (reason) throw new TargetRefusedError(`${host} resolves to ${reason}`);
    }
  }
  return first;
}

/** A lookup that always answers the address already checked: DNS cannot change between check and connect. */
function pinned(address: string, family: number): LookupFunction {
  return ((_host: string, opts: { all?: boolean }, cb: (...args: unknown[]) => void) => {
    if (opts.all) cb(null, [{ address, family }]);
    else cb(null, address, family);
  }) as unknown as LookupFunction;
}

/** POSTs a signed JSON body to a checked, pinned address; never throws (the result says what happened). */
export async function postWebhook(target: string, headers: Record<string, string>, body: string, opts: SendOptions): Promise<SendResult> {
  const started = Date.now();
  const done = (r: Omit<SendResult, 'durationMs'>): SendResult => ({ ...r, durationMs: Date.now() - started });
  let url: URL;
  let to: { address: string; family: number };
  try {
    url = new URL(target);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TargetRefusedError(`${url.protocol} is not http or https`);
    to = await resolveTarget(url, opts.allowPrivate);
  } catch (err) {
    return done({ status: null, excerpt: null, error: err instanceof Error ? err.message : String(err) });
  }
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<SendResult>((resolve) => {
    const req = client.request(
      url,
      {
        method: 'POST',
        lookup: pinned(to.address, to.family),
        headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': 'Flotilla-Webhooks/1' },
        timeout: opts.timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let kept = 0;
        res.on('data', (chunk: Buffer) => {
          if (kept < RESPONSE_EXCERPT_BYTES) {
            chunks.push(chunk);
            kept += chunk.length;
          }
        });
        res.on('end', () => {
          const excerpt = Buffer.concat(chunks).subarray(0, RESPONSE_EXCERPT_BYTES).toString('utf8').replaceAll('\u0000', '');
          resolve(done({ status: res.statusCode ?? null, excerpt, error: null }));
        });
        res.on('error', (err) => resolve(done({ status: res.statusCode ?? null, excerpt: null, error: err.message })));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`)));
    req.on('error', (err) => resolve(done({ status: null, excerpt: null, error: err.message })));
    req.end(body);
  });
}

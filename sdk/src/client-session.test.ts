import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlotillaClient } from './client.js';
import { FlotillaError } from './errors.js';

/** A loopback hub stand-in: each test sets what the next requests are answered. */
type Handler = (req: IncomingMessage, res: ServerResponse) => void;
let handler: Handler = (_req, res) => res.end();
let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function answer(res: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  res.writeHead(status, { 'content-type': type });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

/** The real fetch, recording what the client asked of it. */
function recordingFetch(): { fetch: typeof fetch; inits: RequestInit[] } {
  const inits: RequestInit[] = [];
  return { inits, fetch: (input, init) => (inits.push(init ?? {}), fetch(input, init)) };
}

describe('FlotillaClient in a page (session auth)', () => {
  it('sends cookies as told (same-origin by default) and the headers the hook adds at each call', async () => {
    const seen: (string | undefined)[] = [];
    handler = (req, res) => (seen.push(req.headers['x-csrf'] as string | undefined), answer(res, 200, { items: [] }));
    const rec = recordingFetch();
    let csrf = 'one';
    const client = new FlotillaClient({ url, fetch: rec.fetch, credentials: 'include', headers: () => ({ 'x-csrf': csrf }) });
    await client.request('GET /tokens');
    csrf = 'two';
    await client.request('GET /tokens');
    expect(seen).toEqual(['one', 'two']);
    expect(rec.inits.map((i) => i.credentials)).toEqual(['include', 'include']);

    const plain = recordingFetch();
    await new FlotillaClient({ url, fetch: plain.fetch }).request('GET /tokens');
    expect(plain.inits[0]?.credentials).toBe('same-origin');
  });

  it('shows every error to onError before throwing it, with the route called', async () => {
    handler = (_req, res) => answer(res, 401, { error: { code: 'UNAUTHORIZED', message: 'Session expired' } });
    const seen: string[] = [];
    const client = new FlotillaClient({ url, onError: (err) => seen.push(`${err.route} ${err.code}`) });
    const err = await client.request('GET /installations/:id', { params: { id: 'i1' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlotillaError);
    expect(err).toMatchObject({ code: 'UNAUTHORIZED', status: 401, message: 'Session expired' });
    expect(seen).toEqual(['GET /installations/:id UNAUTHORIZED']);

    const closed = new FlotillaClient({ url: 'http://127.0.0.1:1', onError: (e) => seen.push(`${e.route} ${e.code}`) });
    await expect(closed.request('GET /me')).rejects.toMatchObject({ code: 'UNAVAILABLE', status: 0 });
    expect(seen.at(-1)).toBe('GET /me UNAVAILABLE');
  });

  it("names a proxy's HTML error page by its status line, not its markup", async () => {
    handler = (_req, res) => answer(res, 502, '<html><body>Bad gateway</body></html>', 'text/html');
    await expect(new FlotillaClient({ url }).request('GET /me')).rejects.toMatchObject({ code: 'INTERNAL', status: 502, message: 'GET /me: HTTP 502 Bad Gateway' });
  });
});

describe('FlotillaClient.all', () => {
  it('follows nextCursor page after page, keeping the query, and returns every item', async () => {
    const urls: string[] = [];
    handler = (req, res) => {
      urls.push(req.url ?? '');
      const cursor = new URL(req.url ?? '', url).searchParams.get('cursor');
      answer(res, 200, cursor === 'next/1' ? { items: [{ id: 'b' }], nextCursor: null } : { items: [{ id: 'a' }], nextCursor: 'next/1' });
    };
    const all = await new FlotillaClient({ url }).all('GET /customers', { query: { limit: 200 } });
    expect(all.map((c) => c.id)).toEqual(['a', 'b']);
    expect(urls).toEqual(['/api/v1/customers?limit=200', '/api/v1/customers?limit=200&cursor=next%2F1']);
  });

  it('stops when the hub names the same page again (no endless loop on a hub bug)', async () => {
    let calls = 0;
    handler = (_req, res) => answer(res, 200, { items: [{ id: String(++calls) }], nextCursor: 'same' });
    const all = await new FlotillaClient({ url }).all('GET /customers');
    expect(all.map((c) => c.id)).toEqual(['1', '2']);
  });
});

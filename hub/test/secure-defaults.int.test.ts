import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createConnection } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect } from 'socket.io-client';
import { createTestDatabase, startTestHub, type TestDatabase, type TestHub } from './helpers.js';

// Secure defaults (issue #14, class 5): headers on every response, no source maps, JSON 405/501,
// the default Socket.IO namespace closed. The portal's browser tests show the CSP lets it work.
const PORTAL_DIR = fileURLToPath(new URL('../../portal/dist/', import.meta.url));

let tdb: TestDatabase;
let hub: TestHub;

beforeAll(async () => {
  if (!existsSync(`${PORTAL_DIR}index.html`)) throw new Error(`Portal not built (${PORTAL_DIR}): npm run build -w portal`);
  tdb = await createTestDatabase();
  hub = await startTestHub({ databaseUrl: tdb.url, portalDir: PORTAL_DIR });
});

afterAll(async () => {
  await hub?.close();
  await tdb?.drop();
});

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...values]) => [name as string, values]),
  );
}

describe('security headers', () => {
  const asset = () => readdirSync(`${PORTAL_DIR}assets`).find((f) => f.endsWith('.js')) as string;
  const paths = () => [
    ['GET', '/'],
    ['GET', '/installations/123'],
    ['GET', `/assets/${asset()}`],
    ['GET', '/api/docs'],
    ['GET', '/healthz'],
    ['GET', '/api/v1/me'],
    ['GET', '/api/v1/no-such-route'],
    ['POST', '/api/v1/auth/login'],
    ['PUT', '/api/v1/applications'],
  ];

  it('every response, errors included, carries CSP without inline scripts, nosniff, no framing and a same-origin referrer policy', async () => {
    for (const [method, path] of paths()) {
      const res = await fetch(`${hub.url}${path}`, { method, headers: { accept: 'text/html' }, ...(method === 'POST' ? { body: '{', headers: { 'content-type': 'application/json' } } : {}) });
      await res.arrayBuffer();
      const what = `${method} ${path} (${res.status})`;
      const csp = directives(res.headers.get('content-security-policy') ?? '');
      expect(csp.get('script-src'), what).toEqual(["'self'"]);
      expect(csp.get('default-src'), what).toEqual(["'self'"]);
      expect(csp.get('frame-ancestors'), what).toEqual(["'none'"]);
      expect(csp.get('object-src'), what).toEqual(["'none'"]);
      expect(res.headers.get('x-content-type-options'), what).toBe('nosniff');
      expect(res.headers.get('x-frame-options'), what).toBe('DENY');
      expect(res.headers.get('referrer-policy'), what).toBe('same-origin');
      // Served over http here: no HSTS (it would only matter, and only be honoured, over https).
      expect(res.headers.get('strict-transport-security'), what).toBeNull();
    }
  });

  it('the built portal needs no inline script (its CSP forbids them)', () => {
    const html = readFileSync(`${PORTAL_DIR}index.html`, 'utf8');
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attrs, body] of scripts) {
      expect(attrs).toMatch(/\ssrc="\/assets\//);
      expect(body?.trim()).toBe('');
    }
    expect(html).not.toMatch(/\son[a-z]+=/i);
  });
});

describe('production build', () => {
  it('ships and serves no source maps', async () => {
    const files = readdirSync(`${PORTAL_DIR}assets`);
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    for (const f of files.filter((name) => name.endsWith('.js') || name.endsWith('.css'))) {
      expect(readFileSync(`${PORTAL_DIR}assets/${f}`, 'utf8'), f).not.toContain('sourceMappingURL');
    }
    const js = files.find((f) => f.endsWith('.js')) as string;
    const map = await fetch(`${hub.url}/assets/${js}.map`);
    expect(map.status).toBe(404);
  });
});

describe('methods', () => {
  it('answers a method a path does not have with 405 in the error shape, with Allow', async () => {
    const res = await fetch(`${hub.url}/api/v1/applications`, { method: 'PUT' });
    expect(res.status).toBe(405);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('allow')).toContain('GET');
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('METHOD_NOT_ALLOWED');
    expect(body.error.message).toContain('PUT');
  });

  it('answers an HTTP method the hub does not implement with 501 in the error shape', async () => {
    const res = await fetch(`${hub.url}/api/v1/applications`, { method: 'PROPFIND' });
    expect(res.status).toBe(501);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('NOT_IMPLEMENTED');
  });
});

describe('requests Node refuses before any route', () => {
  it('answers a request line past 16 KB with 431 in the error shape', async () => {
    const res = await fetch(`${hub.url}/api/v1/installations?q=${'é'.repeat(4000)}`);
    expect(res.status).toBe(431);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('HEADERS_TOO_LARGE');
  });

  it('answers malformed HTTP with 400 in the error shape', async () => {
    const { port } = new URL(hub.url);
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = createConnection({ host: '127.0.0.1', port: Number(port) }, () => socket.write('GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n'));
      let text = '';
      socket.on('data', (d) => (text += d.toString()));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400 /);
    expect(raw).toContain('"code":"VALIDATION_FAILED"');
  });
});

describe('Socket.IO', () => {
  it('the default namespace refuses anonymous connections (only /agent and /live serve)', async () => {
    const socket = connect(hub.url, { transports: ['websocket'], reconnection: false, forceNew: true });
    const outcome = await new Promise<string>((resolve) => {
      socket.once('connect', () => resolve('connected'));
      socket.once('connect_error', (err: Error & { data?: { code?: string } }) => resolve(err.data?.code ?? err.message));
    });
    socket.close();
    expect(outcome).toBe('NOT_FOUND');
  });
});

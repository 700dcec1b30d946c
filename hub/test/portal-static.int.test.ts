import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, startTestHub, type TestDatabase, type TestHub } from './helpers.js';

/** The hub serving the built portal (portal/dist): files, SPA fallback, cache headers, API 404s. */
const PORTAL_DIR = fileURLToPath(new URL('../../portal/dist/', import.meta.url));
const LONG_CACHE = 'public, max-age=31536000, immutable';

let tdb: TestDatabase | undefined;
let hub: TestHub | undefined;
let url: string;

beforeAll(async () => {
  if (!existsSync(`${PORTAL_DIR}index.html`)) throw new Error(`Portal not built (${PORTAL_DIR}): npx tsc -b protocol && npm run build -w portal`);
  tdb = await createTestDatabase();
  hub = await startTestHub({ databaseUrl: tdb.url, portalDir: PORTAL_DIR });
  url = hub.url;
});

afterAll(async () => {
  await hub?.close();
  await tdb?.drop();
});

const html = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

async function indexHtml(res: Response): Promise<string> {
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/html/);
  expect(res.headers.get('cache-control')).toBe('no-cache');
  const text = await res.text();
  expect(text).toContain('<div id="app"></div>');
  return text;
}

describe('portal static serving', () => {
  it('serves index.html at / and for history-mode routes', async () => {
    const root = await indexHtml(await fetch(`${url}/`, { headers: html }));
    expect(await indexHtml(await fetch(`${url}/installations/123`, { headers: html }))).toBe(root);
    expect(await indexHtml(await fetch(`${url}/login?redirect=%2F`, { headers: html }))).toBe(root);
  });

  it('serves hashed assets with a long-lived cache header', async () => {
    const root = await (await fetch(`${url}/`)).text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(root)?.[1];
    expect(script).toBeDefined();
    const res = await fetch(`${url}${script}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/javascript/);
    expect(res.headers.get('cache-control')).toBe(LONG_CACHE);
    expect((await res.text()).length).toBeGreaterThan(1000);
  });

  it('answers a missing asset with 404, not with index.html', async () => {
    const res = await fetch(`${url}/assets/FleetPage-gone.js`, { headers: { accept: '*/*' } });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).not.toMatch(/^text\/html/);
  });

  it('keeps the JSON 404 for unknown API routes', async () => {
    for (const accept of ['application/json', html.accept]) {
      const res = await fetch(`${url}/api/v1/nope`, { headers: { accept } });
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    }
  });
});

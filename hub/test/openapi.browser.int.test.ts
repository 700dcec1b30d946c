import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { ApiClient } from './api-client.js';
import { CHROMIUM_ARGS, UI_TIMEOUT, launchChromium, openWatchedPage } from './browser-helpers.js';
import { createTestDatabase, randomSuffix, startTestHub, type TestDatabase, type TestHub } from './helpers.js';
import { OpenApiValidator } from './openapi-validator.js';

/** The served OpenAPI document against the router, the validator the integration tests use, and /api/docs in Chromium. */
let tdb: TestDatabase | undefined;
let hub: TestHub | undefined;
let browser: Browser | undefined;
let doc: { paths: Record<string, Record<string, unknown>>; info: { version: string } };
const log: string[] = [];

beforeAll(async () => {
  tdb = await createTestDatabase();
  hub = await startTestHub({ databaseUrl: tdb.url });
  const res = await fetch(`${hub.url}/api/v1/openapi.json`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  doc = (await res.json()) as typeof doc;
});

afterAll(async () => {
  await browser?.close();
  await hub?.close();
  await tdb?.drop();
});

describe('GET /api/v1/openapi.json', () => {
  it('documents every route the router serves', () => {
    const served = (hub as TestHub).app.api.stack.flatMap((layer) =>
      layer.methods.filter((m) => m !== 'HEAD').map((m) => `${m} ${String(layer.path).replace(/:([A-Za-z]+)/g, '{$1}')}`),
    );
    expect(served.length).toBeGreaterThan(70);
    const documented = new Set(Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`)));
    expect(served.filter((s) => !documented.has(s))).toEqual([]);
    expect(documented.size).toBe(new Set(served).size);
  });

  it('lets the integration tests catch an answer that drifts from the document', async () => {
    const v = new OpenApiValidator(doc as never);
    const api = new ApiClient((hub as TestHub).url);
    await api.signup(randomSuffix());
    const created = await api.post<Record<string, unknown>>('/customers', { name: 'Globex' });
    expect(created.status).toBe(201);
    expect(v.check('POST', '/customers', 201, created.body, 'application/json', { name: 'Globex' })).toEqual([]);
    // A renamed field, a missing one, an undocumented status, a request the document would refuse.
    const { name: _name, ...renamed } = created.body;
    expect(v.check('POST', '/customers', 201, { ...renamed, title: 'Globex' }, 'application/json').join('\n')).toMatch(/name|additional/);
    expect(v.check('GET', `/customers/${String(created.body.id)}`, 418, {}, 'application/json')).toEqual([expect.stringContaining('status not documented')]);
    expect(v.check('POST', '/customers', 201, created.body, 'application/json', { name: '' })).toEqual([expect.stringContaining('request')]);
    expect(v.check('GET', '/no/such/route', 200, {}, 'application/json')).toEqual([expect.stringContaining('not in the document')]);
    // The most specific template wins: /rollouts/preview is not /rollouts/{id}.
    expect(v.operation('POST', '/rollouts/preview')?.template).toBe('/rollouts/preview');
    expect(v.operation('GET', '/installations/abc/status?x=1')?.template).toBe('/installations/{id}/status');
  });
});

describe('GET /api/docs', () => {
  it('serves the reference page and the viewer from the hub itself, under a CSP without inline scripts', async () => {
    const res = await fetch(`${(hub as TestHub).url}/api/docs`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    const html = await res.text();
    expect(html).not.toMatch(/<script>(?!<)/);
    for (const asset of ['docs/swagger-ui.css', 'docs/swagger-ui-bundle.js', 'docs/init.js']) {
      expect(html).toContain(asset);
      expect((await fetch(`${(hub as TestHub).url}/api/${asset}`)).status, asset).toBe(200);
    }
    expect((await fetch(`${(hub as TestHub).url}/api/docs/package.json`)).status).toBe(404);
  });

  it('renders every operation in Chromium with no CSP violation and no request off the hub', async () => {
    expect(CHROMIUM_ARGS).toContain('--headless');
    browser = await launchChromium();
    const { page, errors } = await openWatchedPage(browser, 'docs', log);
    const origin = new URL((hub as TestHub).url).origin;
    const offHub: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(origin) && !r.url().startsWith('data:')) offHub.push(r.url());
    });
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
    await page.goto(`${origin}/api/docs`);
    // Swagger UI parses and lays out ~80 operations: slow on a busy 2-core machine, quick otherwise.
    await page.getByRole('heading', { name: /Flotilla hub API/ }).waitFor({ timeout: 3 * UI_TIMEOUT });
    await expect.poll(() => page.locator('.opblock').count(), { timeout: 3 * UI_TIMEOUT }).toBe(Object.values(doc.paths).reduce((n, ops) => n + Object.keys(ops).length, 0));
    // An operation opens with its roles and its error catalogue codes.
    await page.locator('#operations-Rollouts-createRollout').getByRole('button').first().click();
    await expect.poll(() => page.locator('#operations-Rollouts-createRollout').innerText(), { timeout: UI_TIMEOUT }).toContain('vendor release-manager+');
    const text = await page.locator('#operations-Rollouts-createRollout').innerText();
    expect(text).toContain('FORBIDDEN');
    expect(violations, log.join('\n')).toEqual([]);
    expect(errors).toEqual([]);
    expect(offHub).toEqual([]);
  });
});

/// <reference lib="dom" />
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Installation, InstallationConfig } from '@flotilla/protocol';
import { ApiClient, COMPOSE_V1 } from './api-client.js';
import { createTestDatabase, randomSuffix, type TestDatabase, type TestHub } from './helpers.js';
import { UI_TIMEOUT, assertBrowserPrerequisites, launchChromium, openWatchedPage, shot, signInWithForm, startPortalHub, type WatchedPage } from './browser-helpers.js';

/**
 * The installation page's Configuration section in a real Chromium: environment values edited,
 * secrets write-only (entered, then shown only as "set", replaced, removed), the hub's validation
 * errors shown, and a helm values override checked by the hub's YAML loader.
 */
let tdb: TestDatabase | undefined;
let hub: TestHub | undefined;
let browser: Browser | undefined;
const contexts: BrowserContext[] = [];
const browserLog: string[] = [];
let api: ApiClient;
let admin: { email: string; password: string };
/** Filled in beforeAll. */
const ids = {} as Record<'compose' | 'helm', string>;
const SECRET = 's3cret-from-the-browser';
const WAIT = { timeout: UI_TIMEOUT };

async function created(res: Promise<{ status: number; body: { id: string } }>): Promise<string> {
  const { status, body } = await res;
  expect(status, JSON.stringify(body)).toBe(201);
  return body.id;
}

beforeAll(async () => {
  assertBrowserPrerequisites();
  tdb = await createTestDatabase();
  hub = await startPortalHub(tdb.url);
  browser = await launchChromium();
  api = new ApiClient(hub.url);
  admin = await api.signup(randomSuffix());
  const customer = await created(api.post('/customers', { name: 'Globex' }));
  const app = await created(api.post('/applications', { name: 'api', kind: 'compose' }));
  await created(api.post(`/applications/${app}/versions`, { version: '1.0.0', compose: { file: COMPOSE_V1 } }));
  const track = await created(api.post('/tracks', { name: 'Platform', applicationIds: [app] }));
  ids.compose = await created(api.post('/installations', { customerId: customer, name: 'globex-prod', environment: 'production', agentKind: 'compose', trackId: track }));
  const chart = await created(api.post('/applications', { name: 'chart', kind: 'helm' }));
  const helmTrack = await created(api.post('/tracks', { name: 'Kubernetes', applicationIds: [chart] }));
  ids.helm = await created(api.post('/installations', { customerId: customer, name: 'globex-k8s', environment: 'production', agentKind: 'helm', trackId: helmTrack }));
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close().catch(() => undefined);
  await hub?.close().catch(() => undefined);
  await tdb?.drop().catch(() => undefined);
});

let vendorPage: WatchedPage | undefined;
async function vendor(): Promise<Page> {
  if (!browser || !hub) throw new Error('no browser');
  if (!vendorPage) {
    const watched = await openWatchedPage(browser, 'vendor', browserLog);
    contexts.push(watched.context);
    vendorPage = await signInWithForm(watched, hub.url, admin.email, admin.password, '/');
  }
  return vendorPage.page;
}

const config = async (id: string) => (await api.get<InstallationConfig>(`/installations/${id}/config`)).body;
const save = (page: Page) => page.getByRole('button', { name: 'Save configuration', exact: true }).click();

describe('the installation configuration form', () => {
  beforeEach(() => {
    onTestFailed(() => {
      process.stderr.write(`browser log:\n  ${browserLog.join('\n  ')}\n`);
    });
  });

  it('edits environment values and write-only secrets, showing the hub\'s validation errors', async () => {
    const page = await vendor();
    await page.goto(`${hub?.url}/installations/${ids.compose}`);
    const section = page.getByTestId('installation-config');
    await expect.poll(() => section.getByRole('heading', { name: 'Configuration' }).isVisible(), WAIT).toBe(true);
    await expect.poll(() => section.getByRole('group', { name: 'api' }).isVisible(), WAIT).toBe(true);

    await page.getByRole('button', { name: 'Add value to api' }).click();
    await page.getByLabel('api variable 1 name', { exact: true }).fill('1BAD');
    await page.getByLabel('api variable 1 value', { exact: true }).fill('debug');
    await page.getByRole('button', { name: 'Add secret to api' }).click();
    await page.getByLabel('api secret 1 name', { exact: true }).fill('DB_PASSWORD');
    await page.getByLabel('api secret 1 value', { exact: true }).fill(SECRET);
    await save(page);
    await expect.poll(() => page.getByTestId('config-error').textContent(), WAIT).toMatch(/components\.api\.env\.1BAD: not an environment variable name/);
    await shot(page, 'installation-config-error');
    expect((await config(ids.compose)).components[0]).toEqual({ component: 'api', env: {}, secrets: [], helmValues: null });

    await page.getByLabel('api variable 1 name', { exact: true }).fill('LOG_LEVEL');
    await save(page);
    await expect.poll(() => page.getByTestId('config-saved').isVisible(), WAIT).toBe(true);
    expect((await config(ids.compose)).components[0]).toEqual({ component: 'api', env: { LOG_LEVEL: 'debug' }, secrets: [{ name: 'DB_PASSWORD', set: true }], helmValues: null });
    const secretRow = page.getByTestId('secret-api-DB_PASSWORD');
    expect(await secretRow.getByTestId('secret-state').textContent()).toBe('set');
    await shot(page, 'installation-config-saved');

    // From a reload: the value is back, the secret is a name only; nothing on the page holds it.
    await page.reload();
    await expect.poll(() => page.getByLabel('api variable 1 value', { exact: true }).inputValue(), WAIT).toBe('debug');
    await expect.poll(() => page.getByTestId('secret-api-DB_PASSWORD').isVisible(), WAIT).toBe(true);
    expect(await page.content()).not.toContain(SECRET);
    const inputs = await page.locator('input').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
    expect(inputs).not.toContain(SECRET);

    // Replace, then remove.
    await page.getByRole('button', { name: 'Replace secret DB_PASSWORD of api' }).click();
    await page.getByLabel('New value of DB_PASSWORD (api)', { exact: true }).fill('another-secret');
    await save(page);
    await expect.poll(() => page.getByTestId('config-saved').isVisible(), WAIT).toBe(true);
    expect(await page.getByTestId('secret-api-DB_PASSWORD').getByTestId('secret-state').textContent()).toBe('set');
    await page.getByRole('button', { name: 'Remove secret DB_PASSWORD of api' }).click();
    expect(await page.getByTestId('secret-api-DB_PASSWORD').getByTestId('secret-state').textContent()).toBe('will be removed');
    await save(page);
    await expect.poll(async () => (await config(ids.compose)).components[0]?.secrets, WAIT).toEqual([]);
    await expect.poll(() => page.getByTestId('secret-api-DB_PASSWORD').count(), WAIT).toBe(0);
  });

  it('sets a helm values override, refused until it is a YAML mapping', async () => {
    const page = await vendor();
    await page.goto(`${hub?.url}/installations/${ids.helm}`);
    const field = page.getByLabel('Helm values override (chart)', { exact: true });
    await field.fill('replicaCount: [2');
    await save(page);
    await expect.poll(() => page.getByTestId('config-error').textContent(), WAIT).toMatch(/components\.chart\.helmValues: .*YAML/);
    await field.fill('replicaCount: 2\n');
    await save(page);
    await expect.poll(() => page.getByTestId('config-saved').isVisible(), WAIT).toBe(true);
    await shot(page, 'installation-config-helm');
    expect((await api.get<Installation>(`/installations/${ids.helm}`)).body.helmValues).toEqual({ chart: 'replicaCount: 2\n' });
  });
});

/// <reference lib="dom" />
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import type { Browser, BrowserContext, Locator } from 'playwright-core';
import type { Rollout } from '@flotilla/protocol';
import { ApiClient, COMPOSE_V1 } from './api-client.js';
import { createTestDatabase, randomSuffix, type TestDatabase, type TestHub } from './helpers.js';
import { assertBrowserPrerequisites, launchChromium, openWatchedPage, shot, signInWithForm, startPortalHub, type WatchedPage } from './browser-helpers.js';

/**
 * The installation page in a real Chromium on a real hub: it (and every other vendor page with an id
 * in its path) renders from a deep link and a reload, not only when reached by a click.
 */

let tdb: TestDatabase | undefined;
let hub: TestHub | undefined;
let browser: Browser | undefined;
const contexts: BrowserContext[] = [];
const browserLog: string[] = [];
let base: string;
let api: ApiClient;
let admin: { email: string; password: string };
const ids = { app: '', v1: '', track: '', release: '', customer: '', installation: '', rollout: '' };

async function created(res: Promise<{ status: number; body: { id: string } }>): Promise<string> {
  const { status, body } = await res;
  expect(status, JSON.stringify(body)).toBe(201);
  return body.id;
}

beforeAll(async () => {
  assertBrowserPrerequisites();
  tdb = await createTestDatabase();
  hub = await startPortalHub(tdb.url);
  base = hub.url;
  browser = await launchChromium();

  api = new ApiClient(base);
  admin = await api.signup(randomSuffix());
  ids.app = await created(api.post('/applications', { name: 'web', kind: 'compose' }));
  ids.v1 = await created(api.post(`/applications/${ids.app}/versions`, { version: '1.0.0', compose: { file: COMPOSE_V1 } }));
  ids.track = await created(api.post('/tracks', { name: 'Acme Platform', applicationIds: [ids.app] }));
  ids.release = await created(api.post(`/tracks/${ids.track}/releases`, { version: '1.0.0', stages: [[{ applicationId: ids.app, versionId: ids.v1 }]] }));
  expect((await api.post(`/releases/${ids.release}/lock`)).status).toBe(200);
  ids.customer = await created(api.post('/customers', { name: 'Globex' }));
  ids.installation = await created(
    api.post('/installations', { customerId: ids.customer, name: 'globex-prod', environment: 'production', agentKind: 'compose', trackId: ids.track }),
  );
  await created(api.post('/entitlements', { customerId: ids.customer, trackId: ids.track }));
  const rollout = await api.post<Rollout>('/rollouts', { releaseId: ids.release, targets: { installationIds: [ids.installation] }, strategy: { respectMaintenanceWindows: false } });
  expect(rollout.status, JSON.stringify(rollout.body)).toBe(201);
  ids.rollout = rollout.body.id;
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close().catch(() => undefined);
  await hub?.close().catch(() => undefined);
  await tdb?.drop().catch(() => undefined);
});

async function open(name: string): Promise<WatchedPage> {
  if (!browser) throw new Error('no browser');
  const watched = await openWatchedPage(browser, name, browserLog);
  contexts.push(watched.context);
  return watched;
}

let t0 = Date.now();
function step(what: string): void {
  browserLog.push(`=== +${Date.now() - t0}ms ${what}`);
}

const text = async (locator: Locator) => (await locator.textContent())?.trim();

describe('the installation page in a real browser', () => {
  beforeEach(() => {
    onTestFailed(() => {
      process.stderr.write(`browser log:\n  ${browserLog.join('\n  ')}\n`);
    });
    browserLog.length = 0;
    t0 = Date.now();
  });

  afterEach(() => {
    if (process.env.BROWSER_LOG) process.stderr.write(`browser log:\n  ${browserLog.filter((l) => l.startsWith('===') || l.includes('/api/')).join('\n  ')}\n`);
  });

  it('renders from a deep link and a reload, like every vendor page with an id in its path', async () => {
    step('sign in, then open the installation by its URL (a bookmark)');
    const vendor = await signInWithForm(await open('vendor'), base, admin.email, admin.password, '/');
    const { page } = vendor;
    await page.goto(`${base}/installations/${ids.installation}`);
    expect(await text(page.getByTestId('installation-title'))).toBe('globex-prod');
    await shot(page, 'installation-deep-link');

    step('reload');
    await page.reload();
    expect(await text(page.getByTestId('installation-title'))).toBe('globex-prod');

    step('the other pages, each opened by URL and reloaded');
    const pages: [string, string, string][] = [
      [`/tracks/${ids.track}`, 'track-name', 'Acme Platform'],
      [`/releases/${ids.release}`, 'release-version', '1.0.0'],
      [`/customers/${ids.customer}`, 'customer-title', 'Globex'],
      [`/rollouts/${ids.rollout}`, 'rollout-version', '1.0.0'],
    ];
    for (const [path, testId, expected] of pages) {
      await page.goto(`${base}${path}`);
      expect(await text(page.getByTestId(testId)), path).toBe(expected);
      await page.reload();
      expect(await text(page.getByTestId(testId)), `${path} after a reload`).toBe(expected);
    }
    // The rollout's grid names its target from the fleet store, which was empty when the page opened.
    expect(await text(page.getByTestId(`target-${ids.installation}`).getByTestId('target-name'))).toBe('globex-prod');
    expect(vendor.errors).toEqual([]);
  });
});

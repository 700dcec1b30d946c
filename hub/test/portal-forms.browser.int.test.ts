/// <reference lib="dom" />
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import type { Browser, BrowserContext, Locator } from 'playwright-core';
import { createTestDatabase, randomSuffix, type TestDatabase, type TestHub } from './helpers.js';
import { assertBrowserPrerequisites, launchChromium, openWatchedPage, shot, startPortalHub, UI_TIMEOUT, type WatchedPage } from './browser-helpers.js';

/**
 * The portal's create, edit and delete forms in a real Chromium on a real hub: a vendor signs up in
 * the page and creates everything through the forms; every form's validation errors are shown in
 * plain words (field by field, and a compose error on its line).
 */

let tdb: TestDatabase | undefined;
let hub: TestHub | undefined;
let browser: Browser | undefined;
const contexts: BrowserContext[] = [];
const browserLog: string[] = [];
let base: string;

beforeAll(async () => {
  assertBrowserPrerequisites();
  tdb = await createTestDatabase();
  hub = await startPortalHub(tdb.url);
  base = hub.url;
  browser = await launchChromium();
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
const poll = <T>(fn: () => Promise<T>) => expect.poll(fn, { timeout: UI_TIMEOUT });

describe('the portal forms in a real browser', () => {
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

  let vendor: WatchedPage;

  it('signs up in the page, after the hub refused a short password in plain words', async () => {
    vendor = await open('vendor');
    const { page } = vendor;
    step('sign up with a password the hub refuses');
    await page.goto(`${base}/signup`);
    await page.getByLabel('Your name').fill('Vera Vendor');
    await page.getByLabel('Email').fill(`vera-${randomSuffix()}@example.com`);
    await page.getByLabel('Password').fill('short');
    await page.getByLabel('Company name').fill('Acme');
    await page.getByRole('button', { name: 'Create account' }).click();
    await poll(() => text(page.getByTestId('form-error'))).toBe('Password: at least 10 characters');
    expect(await text(page.getByTestId('field-error-password'))).toBe('at least 10 characters');
    expect(await page.getByLabel('Password').getAttribute('aria-invalid')).toBe('true');
    await shot(page, 'forms-signup-error');

    step('a good password signs up');
    await page.getByLabel('Password').fill('a-long-enough-password');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    expect(vendor.errors).toEqual([]);
  });
});

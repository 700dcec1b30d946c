import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, onTestFailed } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createTestDatabase, freePort, startTestHub, type TestDatabase, type TestHub } from './helpers.js';

/** The built portal (portal/dist) and the system Chromium the browser tests drive. */
export const PORTAL_DIR = fileURLToPath(new URL('../../portal/dist/', import.meta.url));
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];
/** Generous: scrypt logins and page loads slow down a lot on a busy 2-core machine; a passing test does not wait for it. */
export const UI_TIMEOUT = 20_000;

/** Fails (never skips) when the browser or the built portal is missing. */
export function assertBrowserPrerequisites(): void {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium`);
  if (!existsSync(`${PORTAL_DIR}index.html`)) throw new Error(`Portal not built (${PORTAL_DIR}): npx tsc -b protocol && npm run build -w portal`);
}

/** `extraArgs`, e.g. `--host-resolver-rules=MAP portal.acme.test 127.0.0.1` to reach the hub by another host name. */
export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, ...extraArgs], timeout: 30_000 });
}


/** A real hub serving the built portal, whose publicUrl is the origin the browser uses. */
export async function startPortalHub(databaseUrl: string): Promise<TestHub> {
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    try {
      return await startTestHub({ databaseUrl, portalDir: PORTAL_DIR, publicUrl: `http://127.0.0.1:${port}`, port });
    } catch (err) {
      // Someone took the port between the probe and the listen: try another one.
      if (attempt >= 3 || (err as { code?: string }).code !== 'EADDRINUSE') throw err;
    }
  }
}

export interface WatchedPage {
  context: BrowserContext;
  page: Page;
  /** Uncaught page errors (a test usually expects none). */
  errors: string[];
}

/**
 * A page in its own browser context (its own cookies: one signed-in user), recording what it saw
 * into `log` under `name`, to print when a test fails.
 */
export async function openWatchedPage(browser: Browser, name: string, log: string[]): Promise<WatchedPage> {
  const context = await browser.newContext();
  context.setDefaultTimeout(UI_TIMEOUT);
  const page = await context.newPage();
  const errors: string[] = [];
  const t0 = Date.now();
  const note = (line: string) => log.push(`[${name}] +${Date.now() - t0}ms ${line}`);
  page.on('pageerror', (err) => {
    errors.push(err.message);
    note(`pageerror ${err.message}`);
  });
  page.on('console', (m) => note(`console.${m.type()} ${m.text()}`));
  page.on('response', (r) => note(`${r.request().method()} ${r.url()} → ${r.status()}`));
  page.on('framenavigated', (f) => {
    if (f === page.mainFrame()) note(`navigated ${f.url()}`);
  });
  return { context, page, errors };
}

/** Signs in through the portal's login form on a fresh page and waits for the landing path. */
export async function signInWithForm(watched: WatchedPage, base: string, email: string, password: string, landing: string): Promise<WatchedPage> {
  await watched.page.goto(`${base}/login`);
  await watched.page.getByLabel('Email', { exact: true }).fill(email);
  await watched.page.getByLabel('Password', { exact: true }).fill(password);
  await watched.page.getByRole('button', { name: 'Sign in' }).click();
  await watched.page.waitForURL((url) => url.pathname === landing);
  return watched;
}

/** Full-page screenshots into $BROWSER_SHOTS (a directory), to look at the pages by eye. */
export async function shot(page: Page, name: string): Promise<void> {
  if (process.env.BROWSER_SHOTS) await page.screenshot({ path: `${process.env.BROWSER_SHOTS}/${name}.png`, fullPage: true });
}

/** What a browser test file gets from `useBrowserSuite`: usable from its own `beforeAll` on. */
export interface BrowserSuite {
  readonly hub: TestHub;
  /** The origin the browser uses (the hub's publicUrl). */
  readonly base: string;
  readonly browser: Browser;
  readonly databaseUrl: string;
  /** What every page saw, and `step` markers: printed when a test fails (and with BROWSER_LOG=1). */
  readonly log: string[];
  /** A page in a browser context of its own (its own cookies: one user), closed after the file. */
  open(name: string): Promise<WatchedPage>;
  /** A marker in the log, timed from the start of the test. */
  step(what: string): void;
}

export interface BrowserSuiteOptions {
  /** Extra Chromium flags, e.g. `--host-resolver-rules=…` to reach the hub by another name. */
  chromiumArgs?: string[];
  /** More to print when a test fails (an agent's log…). */
  failureDetails?: () => string;
}

/**
 * The fixture every portal browser test shares: a test database, a hub serving the built portal,
 * Chromium, pages that record what they saw, the log printed for a failing test, and all of it
 * closed after the file. Call it at the top of the file; the file's own hooks run after its setup
 * and before its teardown.
 */
export function useBrowserSuite(options: BrowserSuiteOptions = {}): BrowserSuite {
  let tdb: TestDatabase | undefined;
  let hub: TestHub | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  const log: string[] = [];
  let t0 = Date.now();
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`the browser suite has no ${what} yet: use it from beforeAll or a test`);
    return value;
  };

  beforeAll(async () => {
    assertBrowserPrerequisites();
    tdb = await createTestDatabase();
    hub = await startPortalHub(tdb.url);
    browser = await launchChromium(options.chromiumArgs);
  });

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await hub?.close().catch(() => undefined);
    await tdb?.drop().catch(() => undefined);
  });

  beforeEach(() => {
    onTestFailed(() => {
      const details = options.failureDetails?.() ?? '';
      process.stderr.write(`browser log:\n  ${log.join('\n  ')}\n${details ? `${details}\n` : ''}`);
    });
    log.length = 0;
    t0 = Date.now();
  });

  afterEach(() => {
    if (process.env.BROWSER_LOG) process.stderr.write(`browser log:\n  ${log.filter((l) => l.startsWith('===') || l.includes('/api/')).join('\n  ')}\n`);
  });

  return {
    get hub() {
      return started(hub, 'hub');
    },
    get base() {
      return started(hub, 'hub').url;
    },
    get browser() {
      return started(browser, 'browser');
    },
    get databaseUrl() {
      return started(tdb, 'database').url;
    },
    log,
    async open(name) {
      const watched = await openWatchedPage(started(browser, 'browser'), name, log);
      contexts.push(watched.context);
      return watched;
    },
    step(what) {
      log.push(`=== +${Date.now() - t0}ms ${what}`);
    },
  };
}

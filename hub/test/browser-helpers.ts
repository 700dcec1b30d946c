import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { freePort, startTestHub, type TestHub } from './helpers.js';

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

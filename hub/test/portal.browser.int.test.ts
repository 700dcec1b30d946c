import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import type { AgentCredentials } from '@flotilla/protocol';
import { ApiClient, COMPOSE_V1 } from './api-client.js';
import { createTestDatabase, randomSuffix, startTestHub, type TestDatabase, type TestHub } from './helpers.js';
import { connectAgent, host, type AgentSocket } from './sim-agent.js';

/**
 * The real portal (portal/dist, built beforehand) served by a real hub, driven by a real Chromium:
 * login form → fleet page → live updates from a simulated agent, without a page reload.
 */
const PORTAL_DIR = fileURLToPath(new URL('../../portal/dist/', import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];
const UI_TIMEOUT = 10_000;

let tdb: TestDatabase | undefined;
let hub: TestHub | undefined;
let browser: Browser | undefined;
let context: BrowserContext | undefined;
let page: Page;
let api: ApiClient;
let account: { email: string; password: string };
let installationId: string;
let versionId: string;
let creds: AgentCredentials;
let agent: AgentSocket | undefined;
const pageErrors: string[] = [];
const browserLog: string[] = [];
const since = () => new Date().toISOString();

/** A port that was free a moment ago, so the hub's publicUrl can be its real origin. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function startHub(databaseUrl: string): Promise<TestHub> {
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

beforeAll(async () => {
  // Fail (never skip) when the browser or the built portal is missing.
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium`);
  if (!existsSync(`${PORTAL_DIR}index.html`)) throw new Error(`Portal not built (${PORTAL_DIR}): npx tsc -b protocol && npm run build -w portal`);

  tdb = await createTestDatabase();
  hub = await startHub(tdb.url);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 });

  api = new ApiClient(hub.url);
  account = await api.signup(randomSuffix());
  const app = await api.post<{ id: string }>('/applications', { name: 'Shop Web', kind: 'compose' });
  versionId = (await api.post<{ id: string }>(`/applications/${app.body.id}/versions`, { version: '1.0.0', compose: { file: COMPOSE_V1 } })).body.id;
  const customer = await api.post<{ id: string }>('/customers', { name: 'Acme' });
  installationId = (await api.post<{ id: string }>('/installations', { customerId: customer.body.id, name: 'main', environment: 'production', agentKind: 'compose' })).body.id;
  const issued = await api.post<AgentCredentials>(`/installations/${installationId}/agent-credentials`);
  expect(issued.status).toBe(201);
  creds = issued.body;

  agent = await connectAgent(hub.url, creds.agentId, creds.secret);
  await agent.emitWithAck('agent:hello', { host, appliedRevision: 0, components: [] });
  expect(await agent.emitWithAck('status:report', { revision: 0, components: [{ name: 'shop-web', version: '0.9.0', health: 'healthy', since: since() }] })).toEqual({ ok: true });

  context = await browser.newContext();
  context.setDefaultTimeout(UI_TIMEOUT);
  page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(err.message));
  // What the page saw, printed when a test fails (the browser's side of a failure is otherwise lost).
  const t0 = Date.now();
  const note = (line: string) => browserLog.push(`+${Date.now() - t0}ms ${line}`);
  page.on('console', (m) => note(`console.${m.type()} ${m.text()}`));
  page.on('response', (r) => note(`${r.request().method()} ${r.url()} → ${r.status()}`));
  page.on('websocket', (ws) => {
    note(`websocket open ${ws.url()}`);
    ws.on('close', () => note('websocket closed'));
  });
});

afterAll(async () => {
  // Each step on its own: a failure in one must not leave the browser or the hub running.
  await context?.close().catch(() => undefined);
  await browser?.close().catch(() => undefined);
  agent?.close();
  await hub?.close().catch(() => undefined);
  await tdb?.drop().catch(() => undefined);
});

function row(): Locator {
  return page.getByTestId(`installation-${installationId}`);
}

describe('the fleet page in a real browser', () => {
  beforeEach(() => {
    onTestFailed(() => {
      process.stderr.write(`browser log:\n  ${browserLog.join('\n  ')}\n`);
    });
  });

  it('signs in through the login form and shows the installation, healthy and online', async () => {
    await page.goto(`${hub?.url}/`);
    await page.waitForURL(/\/login(\?|$)/);
    await page.getByLabel('Email').fill(account.email);
    await page.getByLabel('Password').fill(account.password);
    await page.getByRole('button', { name: 'Sign in' }).click();

    await page.waitForURL((url) => url.pathname === '/');
    await expect.poll(() => row().getByTestId('health').getAttribute('data-health'), { timeout: UI_TIMEOUT }).toBe('healthy');
    expect((await row().getByTestId('health').textContent())?.trim()).toBe('healthy');
    expect(await row().getByTestId('online').getAttribute('data-online')).toBe('true');
    expect((await row().getByTestId('online').textContent())?.trim()).toBe('online');
    expect((await row().getByTestId('customer').textContent())?.trim()).toBe('Acme');
    expect((await row().getByTestId('running-version').textContent())?.trim()).toBe('0.9.0');
    expect((await row().getByTestId('desired-version').textContent())?.trim()).toBe('—');
    // The /live socket is up (authenticated by the session cookie on the websocket upgrade).
    await expect.poll(() => page.getByTestId('live-status').getAttribute('data-state'), { timeout: UI_TIMEOUT }).toBe('live');
  });

  it('patches health, desired version and presence live, without reloading the page', async () => {
    let loads = 0;
    page.on('load', () => loads++);
    await page.evaluate(() => {
      (window as unknown as { __noReload: string }).__noReload = 'still here';
    });

    await agent?.emitWithAck('status:report', { revision: 0, components: [{ name: 'shop-web', version: '0.9.0', health: 'failed', message: 'container exited (137)', since: since() }] });
    await expect.poll(() => row().getByTestId('health').getAttribute('data-health'), { timeout: UI_TIMEOUT }).toBe('failed');
    expect((await row().getByTestId('health').textContent())?.trim()).toBe('failed');

    const deploy = await api.post<{ revision: number }>(`/installations/${installationId}/deploy`, { versionId });
    expect(deploy.status).toBe(202);
    await expect.poll(async () => (await row().getByTestId('desired-version').textContent())?.trim(), { timeout: UI_TIMEOUT }).toBe('1.0.0');

    agent?.disconnect();
    await expect.poll(() => row().getByTestId('online').getAttribute('data-online'), { timeout: UI_TIMEOUT }).toBe('false');
    expect((await row().getByTestId('online').textContent())?.trim()).toBe('offline');

    expect(await page.evaluate(() => (window as unknown as { __noReload?: string }).__noReload)).toBe('still here');
    expect(loads).toBe(0);
    expect(new URL(page.url()).pathname).toBe('/');
    expect(pageErrors).toEqual([]);
  });
});

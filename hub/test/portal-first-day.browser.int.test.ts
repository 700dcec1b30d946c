/// <reference lib="dom" />
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Locator, Page } from 'playwright-core';
import { assertDockerAvailable, ensureTestImages, fetchServed, freePort, removeProjects, testImage, webComposeFile, webEnv } from '../../agent-compose/test/images.js';
import { startAgentProcess } from './agent-process.js';
import { randomSuffix, waitFor } from './helpers.js';
import { shot, UI_TIMEOUT, type WatchedPage, useBrowserSuite } from './browser-helpers.js';

/**
 * The vendor's first day, as the README tells it: from an empty hub to a real `flotilla-agent-compose`
 * on Docker running v1, then v2, with no REST call from the test. The vendor signs up in the page and
 * creates the application, its two versions, a customer and an installation through the forms; Connect
 * agent shows the install command, whose single-use link (fetched as the command's `curl` would) gives
 * the agent its settings; the agent starts with exactly those; both deploys are made from the page, and
 * the installation page is reloaded while the first one converges.
 *
 * BROWSER_SHOTS=<dir> keeps the screenshots the README shows (first-day-*.png).
 */

const suite = useBrowserSuite({ failureDetails: () => `--- agent log (last 6 kB) ---\n${agentLog.slice(-6000)}` });
const { step } = suite;

let vendor: WatchedPage | undefined;
let agent: ChildProcess | undefined;
let agentLog = '';
let stateDir: string | undefined;
let projectPrefix: string | undefined;

beforeAll(async () => {
  await assertDockerAvailable();
  await ensureTestImages(['v1', 'v2']);
  stateDir = await mkdtemp(path.join(tmpdir(), 'flotilla-first-day-agent-'));
});

afterAll(async () => {
  if (agent && agent.exitCode === null && agent.signalCode === null) {
    const exited = new Promise((resolve) => agent?.once('exit', resolve));
    agent.kill('SIGKILL');
    await exited;
  }
  if (projectPrefix) await removeProjects(projectPrefix).catch(() => undefined);
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

const text = async (locator: Locator) => (await locator.textContent())?.trim();
/** What the page shows, polled as long as a busy machine may need (a pass does not wait for it). */
const poll = <T>(fn: () => Promise<T>) => expect.poll(fn, { timeout: UI_TIMEOUT });
/** Convergence through a real Docker engine on a busy 2-core machine: generous, and a pass never waits for it. */
const CONVERGE_TIMEOUT = 120_000;

/** The agent's settings as the install link serves them: the environment of its compose service. */
async function agentSettingsFromInstallCommand(command: string): Promise<Record<string, string>> {
  const link = /curl -fsSL '([^']+)'/.exec(command)?.[1];
  if (!link) throw new Error(`the install command names no link: ${command}`);
  const res = await fetch(link);
  if (res.status !== 200) throw new Error(`the install link answered ${res.status}: ${await res.text()}`);
  const manifest = parse(await res.text()) as { services: Record<string, { environment: Record<string, string> }> };
  const service = manifest.services['flotilla-agent'];
  if (!service) throw new Error('the install link served no flotilla-agent service');
  return service.environment;
}

async function createVersion(page: Page, version: string, compose: string, env: string): Promise<void> {
  await page.getByRole('button', { name: 'New version' }).click();
  await page.getByLabel('Version', { exact: true }).fill(version);
  await page.getByLabel('Compose file').fill(compose);
  await page.getByLabel('Env defaults').fill(env);
  await page.getByRole('button', { name: 'Create version' }).click();
  await page.locator(`[data-version="${version}"]`).waitFor();
}

async function deployVersion(page: Page, label: string): Promise<void> {
  await page.getByRole('button', { name: 'Deploy', exact: true }).click();
  const select = page.getByLabel('Application version', { exact: true });
  await select.waitFor();
  await select.selectOption({ label });
  await page.getByTestId('deploy-form').getByRole('button', { name: 'Deploy', exact: true }).click();
}

/** The installation page shows `version` running, healthy and in sync, and the container serves `served`. */
async function convergedOn(page: Page, version: string, webPort: number, served: string): Promise<void> {
  await expect.poll(() => text(page.getByTestId('running-version')), { timeout: CONVERGE_TIMEOUT }).toBe(version);
  await expect.poll(() => page.getByTestId('installation-health').getAttribute('data-health'), { timeout: CONVERGE_TIMEOUT }).toBe('healthy');
  expect(await page.getByTestId('version-drift').getAttribute('data-drift')).toBe('false');
  await waitFor(async () => ((await fetchServed(webPort)) === served ? true : undefined), CONVERGE_TIMEOUT, `the web container serving ${served}`);
}

describe('the first day in the portal', { timeout: 420_000 }, () => {
  it('goes from an empty hub to a real agent-compose running v1, then v2, through the page only', async () => {
    const base = suite.hub.url;
    vendor = await suite.open('vendor');
    const { page } = vendor;
    await page.setViewportSize({ width: 1280, height: 900 });
    const webPort = await freePort();

    step('sign up');
    await page.goto(`${base}/signup`);
    await page.getByLabel('Your name').fill('Vera Vendor');
    await page.getByLabel('Email').fill(`vera-${randomSuffix()}@example.com`);
    await page.getByLabel('Password').fill('a-long-enough-password');
    await page.getByLabel('Company name').fill('Acme');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    const checklist = page.getByTestId('first-run');
    await checklist.waitFor();
    await shot(page, 'first-day-1-checklist');

    step('an application with two versions');
    await checklist.getByRole('link', { name: 'Create an application' }).click();
    await page.getByRole('button', { name: 'New application' }).click();
    await page.getByLabel('Name').fill('web');
    await page.getByLabel('Kind').selectOption('compose');
    await page.getByRole('button', { name: 'Create application' }).click();
    await page.waitForURL((url) => /^\/applications\/[0-9a-f-]{36}$/.test(url.pathname));
    await createVersion(page, '1.0.0', webComposeFile({ image: testImage('v1') }), webEnv(webPort));
    await createVersion(page, '2.0.0', webComposeFile({ image: testImage('v2') }), webEnv(webPort));
    await shot(page, 'first-day-2-application');

    step('a customer and its installation');
    await page.getByTestId('nav-customers').click();
    await page.getByRole('button', { name: 'New customer' }).click();
    await page.getByLabel('Name').fill('Globex');
    await page.getByRole('button', { name: 'Create customer' }).click();
    await page.waitForURL((url) => url.pathname.startsWith('/customers/'));
    await page.getByRole('link', { name: 'New installation' }).click();
    await page.waitForURL((url) => url.pathname === '/installations/new');
    await page.getByLabel('Name').fill('globex-prod');
    await page.getByLabel('Environment').fill('production');
    await page.getByLabel('Agent kind').selectOption('compose');
    await page.getByRole('button', { name: 'Create installation' }).click();
    await page.waitForURL((url) => /^\/installations\/[0-9a-f-]{36}$/.test(url.pathname));
    const installationId = new URL(page.url()).pathname.split('/').pop() ?? '';
    projectPrefix = `flt-${installationId.slice(0, 8)}`;

    step('Connect agent: start the agent from what the page shows');
    await page.getByRole('button', { name: 'Connect agent' }).click();
    const command = (await text(page.getByTestId('install-command'))) ?? '';
    expect(command).toMatch(/^curl -fsSL '.+' \| docker compose -p \S+ -f - up -d$/);
    await poll(() => text(page.getByTestId('agent-connection'))).toBe('Waiting for the agent…');
    await shot(page, 'first-day-3-connect-agent');
    const settings = await agentSettingsFromInstallCommand(command);
    expect(settings.FLOTILLA_HUB_URL).toBe(base);
    const { FLOTILLA_AGENT_ID: agentId, FLOTILLA_AGENT_SECRET: secret, FLOTILLA_HUB_URL: hubUrl } = settings;
    if (!agentId || !secret || !hubUrl) throw new Error(`the install link gave no hub URL, agent id or secret: ${Object.keys(settings).join(', ')}`);
    agent = startAgentProcess(hubUrl, { agentId, secret }, stateDir ?? '', (out) => (agentLog += out));
    await expect.poll(() => text(page.getByTestId('agent-connection')), { timeout: CONVERGE_TIMEOUT }).toMatch(/^Connected: .+, agent .+$/);
    // Uptime counts from the agent's first connection: the minutes spent setting it up are not downtime.
    const currentHour = page.getByTestId('uptime-bar').getByTestId('uptime-segment').last();
    await poll(() => currentHour.getAttribute('data-state')).not.toBe('no-data');
    expect(Number(await currentHour.getAttribute('data-offline-percent'))).toBe(0);

    step('deploy 1.0.0 from the page, and reload while it converges');
    await deployVersion(page, 'web 1.0.0');
    await poll(() => text(page.getByTestId('desired-version'))).toBe('1.0.0');
    await page.reload();
    await poll(() => text(page.getByTestId('installation-title'))).toBe('globex-prod');
    await convergedOn(page, '1.0.0', webPort, 'v1');
    await shot(page, 'first-day-4-running-v1');

    step('deploy 2.0.0 from the page');
    await deployVersion(page, 'web 2.0.0');
    await convergedOn(page, '2.0.0', webPort, 'v2');
    expect(await text(page.getByTestId('component-web').getByTestId('component-running'))).toBe('2.0.0');
    // The timeline follows live: the turn to healthy is on top.
    await poll(() => text(page.getByTestId('events').locator('li').first())).toMatch(/^Health changed to healthy/);
    await shot(page, 'first-day-5-running-v2');

    step('the fleet shows it running 2.0.0, and the checklist is gone');
    await page.getByTestId('nav-fleet').click();
    const row = page.getByTestId(`installation-${installationId}`);
    await poll(() => text(row.getByTestId('running-version'))).toBe('2.0.0');
    expect(await page.getByTestId('first-run').count()).toBe(0);
    // Healthy for a while now: its 24 h uptime is above zero (re-read after each health change).
    await poll(async () => Number.parseFloat((await text(row.getByTestId('uptime'))) ?? '')).toBeGreaterThan(0);
    await shot(page, 'first-day-6-fleet');
    expect(vendor.errors).toEqual([]);
  });
});

/// <reference lib="dom" />
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Locator } from 'playwright-core';
import type { Release } from '@flotilla/protocol';
import { assertDockerAvailable, ensureTestImages, fetchServed, freePort, removeProjects, testImage, webComposeFile, webEnv } from '../../agent-compose/test/images.js';
import { ApiClient } from './api-client.js';
import { startAgentProcess } from './agent-process.js';
import { randomSuffix, waitFor } from './helpers.js';
import { shot, signInWithForm, UI_TIMEOUT, useBrowserSuite } from './browser-helpers.js';

/**
 * Customer self-service in the portal: the vendor sets Globex's limits in the customer page's form;
 * Globex's admin creates an installation from the customer portal, connects a real
 * `flotilla-agent-compose` on Docker with the command Connect agent shows, deploys the entitled
 * release from the page, sees uptime and events, and is stopped at the vendor's limit.
 */

const suite = useBrowserSuite({ failureDetails: () => `--- agent log (last 6 kB) ---\n${agentLog.slice(-6000)}` });

let agent: ChildProcess | undefined;
let agentLog = '';
let stateDir: string | undefined;
let projectPrefix: string | undefined;
const CONVERGE_TIMEOUT = 120_000;

beforeAll(async () => {
  await assertDockerAvailable();
  await ensureTestImages(['v1']);
  stateDir = await mkdtemp(path.join(tmpdir(), 'flotilla-self-service-agent-'));
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
const poll = <T>(fn: () => Promise<T>) => expect.poll(fn, { timeout: UI_TIMEOUT });

/** The agent's settings as the install link serves them (what the command's `curl` fetches). */
async function agentSettingsFromInstallCommand(command: string): Promise<Record<string, string>> {
  const link = /curl -fsSL '([^']+)'/.exec(command)?.[1];
  if (!link) throw new Error(`the install command names no link: ${command}`);
  const res = await fetch(link);
  if (res.status !== 200) throw new Error(`the install link answered ${res.status}: ${await res.text()}`);
  const manifest = parse(await res.text()) as { services: Record<string, { environment: Record<string, string> }> };
  return manifest.services['flotilla-agent']?.environment ?? {};
}

describe('customer self-service in the portal', { timeout: 420_000 }, () => {
  it('a customer admin creates an installation within its limits and connects a real agent from the page', async () => {
    const base = suite.hub.url;
    const webPort = await freePort();

    // The vendor's catalogue, over REST (the vendor's own first day is portal-first-day's).
    const api = new ApiClient(base);
    const vendorAccount = await api.signup(randomSuffix());
    const app = await api.post<{ id: string }>('/applications', { name: 'web', kind: 'compose' });
    const v1 = await api.post<{ id: string }>(`/applications/${app.body.id}/versions`, { version: '1.0.0', compose: { file: webComposeFile({ image: testImage('v1') }), env: webEnv(webPort) } });
    const track = await api.post<{ id: string }>('/tracks', { name: 'Shop', applicationIds: [app.body.id] });
    const release = await api.post<Release>(`/tracks/${track.body.id}/releases`, { version: '1.0.0', stages: [[{ applicationId: app.body.id, versionId: v1.body.id }]] });
    expect((await api.post(`/releases/${release.body.id}/lock`)).status).toBe(200);
    const customerId = (await api.post<{ id: string }>('/customers', { name: 'Globex' })).body.id;
    expect((await api.post('/entitlements', { customerId, trackId: track.body.id })).status).toBe(201);
    const email = `olga-${randomSuffix()}@globex.example`;
    const invite = await api.post<{ inviteUrl: string }>('/invites', { email, role: 'admin', customerId });
    expect((await new ApiClient(base).post(`/invites/${invite.body.inviteUrl.split('/').pop() ?? ''}/accept`, { name: 'Olga Ops', password: 'a long enough password' })).status).toBe(200);

    // The vendor sets the limits in the customer page's form.
    const vendor = await signInWithForm(await suite.open('vendor'), base, vendorAccount.email, vendorAccount.password, '/');
    await vendor.page.goto(`${base}/customers/${customerId}`);
    const limits = vendor.page.getByTestId('customer-limits');
    await limits.getByLabel('Maximum installations').fill('1');
    await limits.getByLabel('Allowed environments').fill('production, staging');
    await limits.getByRole('button', { name: 'Save limits' }).click();
    await vendor.page.getByTestId('customer-limits-saved').waitFor();
    expect((await api.get<{ maxInstallations: number; allowedEnvironments: string[] }>(`/customers/${customerId}`)).body).toMatchObject({ maxInstallations: 1, allowedEnvironments: ['production', 'staging'] });

    // Globex's admin creates the installation in the customer portal.
    const customer = await signInWithForm(await suite.open('customer'), base, email, 'a long enough password', '/customer');
    const { page } = customer;
    await poll(() => text(page.getByTestId('customer-limits-summary'))).toBe('0 of 1 installations · production, staging');
    await page.getByRole('link', { name: 'New installation' }).click();
    await page.waitForURL((url) => url.pathname === '/customer/installations/new');
    expect(await page.getByLabel('Customer').count()).toBe(0);
    await page.getByLabel('Name').fill('globex-edge');
    expect(await page.getByLabel('Environment').inputValue()).toBe('production');
    await page.getByLabel('Agent kind').selectOption('compose');
    await poll(() => page.getByLabel('Track').locator('option').allTextContents()).toContain('Shop');
    await page.getByLabel('Track').selectOption({ label: 'Shop' });
    await page.getByRole('button', { name: 'Create installation' }).click();
    await page.waitForURL((url) => /^\/installations\/[0-9a-f-]{36}$/.test(url.pathname));
    const installationId = new URL(page.url()).pathname.split('/').pop() ?? '';
    projectPrefix = `flt-${installationId.slice(0, 8)}`;
    await shot(page, 'self-service-1-created');

    // Connect agent: the command the page shows starts a real agent.
    await page.getByRole('button', { name: 'Connect agent' }).click();
    const command = (await text(page.getByTestId('install-command'))) ?? '';
    expect(command).toMatch(/^curl -fsSL '.+' \| docker compose -p \S+ -f - up -d$/);
    const settings = await agentSettingsFromInstallCommand(command);
    const { FLOTILLA_HUB_URL: hubUrl, FLOTILLA_AGENT_ID: agentId, FLOTILLA_AGENT_SECRET: secret } = settings;
    if (!hubUrl || !agentId || !secret) throw new Error(`the install link gave no hub URL, agent id or secret: ${Object.keys(settings).join(', ')}`);
    agent = startAgentProcess(hubUrl, { agentId, secret }, stateDir ?? '', (out) => (agentLog += out));
    await expect.poll(() => text(page.getByTestId('agent-connection')), { timeout: CONVERGE_TIMEOUT }).toMatch(/^Connected: .+, agent .+$/);

    // Deploy the entitled release from the page; it runs, with uptime and events to show.
    await page.getByRole('button', { name: 'Deploy', exact: true }).click();
    await page.getByTestId('deploy-release').waitFor();
    await page.getByTestId('deploy-form').getByRole('button', { name: 'Deploy', exact: true }).click();
    await expect.poll(() => page.getByTestId('installation-health').getAttribute('data-health'), { timeout: CONVERGE_TIMEOUT }).toBe('healthy');
    await waitFor(async () => ((await fetchServed(webPort)) === 'v1' ? true : undefined), CONVERGE_TIMEOUT, 'the web container serving v1');
    await poll(() => page.getByTestId('uptime-bar').getByTestId('uptime-segment').last().getAttribute('data-state')).not.toBe('no-data');
    await poll(() => page.getByTestId('events').locator('li').count()).toBeGreaterThan(0);
    await shot(page, 'self-service-2-running');

    // The vendor's limit: a second installation is refused, saying why.
    await page.goto(`${base}/customer/installations/new`);
    await page.getByLabel('Name').fill('globex-second');
    await page.getByRole('button', { name: 'Create installation' }).click();
    await poll(() => text(page.getByTestId('installation-error'))).toContain('Globex may have at most 1 installation');
    expect(customer.errors).toEqual([]);
    expect(vendor.errors).toEqual([]);
  });
});

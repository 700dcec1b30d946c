import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator } from 'playwright-core';
import type { AgentCredentials, CreatedInvite, InstallationStatus, Release, Rollout } from '@flotilla/protocol';
import { ApiClient } from './api-client.js';
import { randomSuffix, waitFor } from './helpers.js';
import { UI_TIMEOUT, type WatchedPage, signInWithForm, shot, useBrowserSuite } from './browser-helpers.js';
import { simAgent, type SimAgent } from './sim-fleet.js';

/**
 * Stepped deploys in the real portal (portal/dist) on a real hub, with simulated agents: releases
 * 1.0.0, 2.0.0 (required) and 3.0.0. A vendor admin deploys 3.0.0 to an installation on 1.0.0 from
 * its page: the page shows the steps (2.0.0 required, then 3.0.0) and links to the rollout running
 * them, whose target shows the step it is on. A customer admin installs 3.0.0 from "Available
 * updates" on another installation on 1.0.0: the update says 2.0.0 comes first, and installing works.
 */
const suite = useBrowserSuite();
const PASSWORD = 'correct horse battery staple';

const agents: SimAgent[] = [];
let base: string;
let api: ApiClient;
let admin: { email: string; password: string };
let customerEmail: string;
const ids: Record<string, string> = {};

const text = async (locator: Locator) => (await locator.textContent())?.replace(/\s+/g, ' ').trim();
const status = async (id: string) => (await api.get<InstallationStatus>(`/installations/${id}/status`)).body;
const onRelease = (id: string, version: string) => waitFor(async () => ((await status(id)).desiredVersion === version && (await status(id)).health === 'healthy' ? true : undefined), 20_000, `${id} on ${version}`);

/** An installation of the customer with a simulated agent (each desired state applied after `delayMs`), on 1.0.0. */
async function installationOn1(name: string, delayMs: number): Promise<{ id: string; agent: SimAgent }> {
  const id = (await api.post<{ id: string }>('/installations', { customerId: ids.customer, name, environment: 'production', agentKind: 'compose', trackId: ids.track })).body.id;
  const creds = (await api.post<AgentCredentials>(`/installations/${id}/agent-credentials`)).body;
  const agent = await simAgent(base, id, creds.agentId, creds.secret, delayMs);
  agents.push(agent);
  expect((await api.post(`/installations/${id}/deploy`, { releaseId: ids.r1 })).status).toBe(202);
  await onRelease(id, '1.0.0');
  return { id, agent };
}

beforeAll(async () => {
  base = suite.base;
  api = new ApiClient(base);
  admin = await api.signup(randomSuffix());
  const svc = (await api.post<{ id: string }>('/applications', { name: 'svc', kind: 'compose' })).body.id;
  ids.track = (await api.post<{ id: string }>('/tracks', { name: 'Svc', applicationIds: [svc] })).body.id;
  for (const [version, required] of [['1.0.0', false], ['2.0.0', true], ['3.0.0', false]] as const) {
    const versionId = (await api.post<{ id: string }>(`/applications/${svc}/versions`, { version, compose: { file: `services:\n  x:\n    image: sim/x:${version}\n` } })).body.id;
    const release = await api.post<Release>(`/tracks/${ids.track}/releases`, { version, required, stages: [[{ applicationId: svc, versionId }]] });
    expect(release.status, JSON.stringify(release.body)).toBe(201);
    expect((await api.post(`/releases/${release.body.id}/lock`)).status).toBe(200);
    ids[`r${version[0] ?? ''}`] = release.body.id;
  }
  ids.customer = (await api.post<{ id: string }>('/customers', { name: 'Globex' })).body.id;
  await api.post('/entitlements', { customerId: ids.customer, trackId: ids.track });
  customerEmail = `carol-${randomSuffix()}@example.com`;
  const invite = await api.post<CreatedInvite>('/invites', { email: customerEmail, role: 'admin', customerId: ids.customer });
  const token = new URL(invite.body.inviteUrl).pathname.split('/').pop() ?? '';
  expect((await new ApiClient(base).post(`/invites/${token}/accept`, { name: 'Carol Customer', password: PASSWORD })).status).toBe(200);
}, 60_000);

afterAll(() => {
  for (const a of agents) a.socket.disconnect();
});

async function signIn(name: string, email: string, password: string, landing: string): Promise<WatchedPage> {
  return signInWithForm(await suite.open(name), base, email, password, landing);
}

describe('stepped deploys in a real browser', { timeout: 120_000 }, () => {

  it("a vendor's Deploy past a required release shows the steps and links to the rollout, whose target shows its step", async () => {
    // Its agent goes offline: the rollout waits for it on its first step, for the page to show.
    const { id, agent } = await installationOn1('edge', 30);
    agent.socket.disconnect();
    await waitFor(async () => ((await status(id)).online ? undefined : true), 20_000, 'edge offline');
    const vendor = await signIn('vendor-admin', admin.email, admin.password, '/');
    const page = vendor.page;
    await page.goto(`${base}/installations/${id}`);
    await page.getByTestId('deploy-open').click();
    await page.getByTestId('deploy-release').selectOption(ids.r3 ?? '');
    await page.getByTestId('deploy-form').getByRole('button', { name: 'Deploy', exact: true }).click();

    const steps = page.getByTestId('deploy-steps');
    await steps.waitFor({ timeout: UI_TIMEOUT });
    expect(await text(steps.locator('p'))).toBe('Deploying 3.0.0 through required releases: required 2.0.0 (1 stage), then 3.0.0 (1 stage). Each is deployed and healthy before the next.');
    expect(await steps.getByTestId('deploy-step').evaluateAll((li) => li.map((l) => l.getAttribute('data-version')))).toEqual(['2.0.0', '3.0.0']);
    expect(await page.getByTestId('deploy-result').count()).toBe(0);
    const rolloutId = (await steps.getAttribute('data-rollout-id')) ?? '';
    expect((await api.get<Rollout>(`/rollouts/${rolloutId}`)).body.targets.map((t) => t.installationId)).toEqual([id]);
    await shot(page, 'stepped-deploy-installation');

    await page.getByTestId('deploy-rollout').click();
    await page.waitForURL((url) => url.pathname === `/rollouts/${rolloutId}`);
    const target = page.getByTestId(`target-${id}`);
    await target.waitFor({ timeout: UI_TIMEOUT });
    await expect.poll(() => text(target.getByTestId('target-step')), { timeout: UI_TIMEOUT }).toBe('step 1 of 2: required 2.0.0');
    await shot(page, 'stepped-deploy-rollout-step1');
    // The agent is back: live, the target moves on to 3.0.0 once 2.0.0 is healthy, and the rollout completes.
    const creds = (await api.post<AgentCredentials>(`/installations/${id}/agent-credentials`)).body;
    const back = await simAgent(base, id, creds.agentId, creds.secret, 30);
    agents.push(back);
    await expect.poll(() => text(target.getByTestId('target-step')), { timeout: 30_000 }).toBe('step 2 of 2: 3.0.0');
    await expect.poll(() => target.getAttribute('data-status'), { timeout: 30_000 }).toBe('succeeded');
    expect(await text(target.getByTestId('target-stage'))).toBe('stage 1/1');
    await shot(page, 'stepped-deploy-rollout-done');
    // On connecting it is handed what it should run (1.0.0: the rollout waited), then each step.
    expect(back.received.map((d) => d.components.map((c) => c.version).join())).toEqual(['1.0.0', '2.0.0', '3.0.0']);
    expect(vendor.errors).toEqual([]);
  });

  it('a customer admin installs an update past a required release: it says what comes first, and steps through it', async () => {
    const { id, agent } = await installationOn1('plant', 30);
    const customer = await signIn('customer-admin', customerEmail, PASSWORD, '/customer');
    const page = customer.page;
    const card = page.getByTestId(`updates-${id}`);
    const offered = card.getByTestId(`update-${ids.r3}`);
    await offered.waitFor({ timeout: UI_TIMEOUT });
    expect(await text(offered.getByTestId('update-needs-first'))).toBe('Installs required release 2.0.0 first, each healthy before the next.');
    const install = offered.getByRole('button', { name: 'Install', exact: true });
    expect(await install.isEnabled()).toBe(true);
    expect(await install.getAttribute('aria-describedby')).toBe(`needs-first-${ids.r3}`);
    await shot(page, 'customer-update-past-required');
    await install.click();
    expect(await text(offered.locator('.confirm__question'))).toBe('Install 3.0.0 on plant, after required release 2.0.0?');
    await offered.getByTestId('install-confirm').click();
    const result = card.getByTestId('install-result');
    await expect.poll(() => text(result), { timeout: UI_TIMEOUT }).toBe('Installing 3.0.0 through required releases: required 2.0.0 (1 stage), then 3.0.0 (1 stage). Each is installed and healthy before the next.');
    expect(await result.getAttribute('data-stepped')).toBe('true');
    await onRelease(id, '3.0.0');
    await expect.poll(() => text(card.getByTestId('current-version')), { timeout: UI_TIMEOUT }).toBe('Running release: 3.0.0');
    await card.getByTestId('updates-empty').waitFor({ timeout: UI_TIMEOUT });
    await shot(page, 'customer-installed-through-required');
    expect(agent.received.map((d) => d.components.map((c) => c.version).join())).toEqual(['1.0.0', '2.0.0', '3.0.0']);
    expect(customer.errors).toEqual([]);
  });
});

/// <reference lib="dom" />
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { parse } from 'yaml';
import type { AgentCredentials, Rollout } from '@flotilla/protocol';
import { ApiClient, COMPOSE_V1, created } from './api-client.js';
import { randomSuffix } from './helpers.js';
import { UI_TIMEOUT, shot, signInWithForm, type WatchedPage, useBrowserSuite } from './browser-helpers.js';
import { connectAgent, type AgentSocket } from './sim-agent.js';
import { simAgent, type SimAgent } from './sim-fleet.js';

/**
 * The installation page in a real Chromium on a real hub, with simulated agents: it (and every other
 * vendor page with an id in its path) renders from a deep link and a reload; Connect agent shows the
 * install command and goes live from "Waiting for the agent…" to "Connected"; Deploy from the page
 * converges live; versions are shown truthfully for a two-component release; the uptime bar and the
 * timeline follow a disconnection without a reload.
 */

const suite = useBrowserSuite();
const { open, step } = suite;

let base: string;
let api: ApiClient;
let admin: { email: string; password: string };
const ids = { app: '', v1: '', track: '', release: '', customer: '', installation: '', rollout: '', connect: '', web: '', api: '', track2: '', release11: '', twoComp: '' };
const sockets: AgentSocket[] = [];

beforeAll(async () => {
  base = suite.base;

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

  // Connect agent: an installation without an agent.
  ids.connect = await created(api.post('/installations', { customerId: ids.customer, name: 'edge-connect', environment: 'staging', agentKind: 'compose' }));

  // Truthful versions: a track of two applications; release 1.1.0 runs web 1.1.0 and api 2.0.0.
  ids.web = await created(api.post('/applications', { name: 'shop-web', kind: 'compose' }));
  ids.api = await created(api.post('/applications', { name: 'shop-api', kind: 'compose' }));
  const web11 = await created(api.post(`/applications/${ids.web}/versions`, { version: '1.1.0', compose: { file: COMPOSE_V1 } }));
  const api20 = await created(api.post(`/applications/${ids.api}/versions`, { version: '2.0.0', compose: { file: COMPOSE_V1 } }));
  ids.track2 = await created(api.post('/tracks', { name: 'Shop', applicationIds: [ids.web, ids.api] }));
  ids.release11 = await created(
    api.post(`/tracks/${ids.track2}/releases`, { version: '1.1.0', name: 'Autumn', stages: [[{ applicationId: ids.api, versionId: api20 }], [{ applicationId: ids.web, versionId: web11 }]] }),
  );
  expect((await api.post(`/releases/${ids.release11}/lock`)).status).toBe(200);
  const web09 = await created(api.post(`/applications/${ids.web}/versions`, { version: '0.9.0', compose: { file: COMPOSE_V1 } }));
  expect((await api.call('PATCH', `/applications/${ids.web}/versions/${web09}`, { archived: true })).status).toBe(200);
  ids.twoComp = await created(api.post('/installations', { customerId: ids.customer, name: 'shop-prod', environment: 'production', agentKind: 'compose', trackId: ids.track2 }));
});

afterAll(async () => {
  for (const socket of sockets) socket.disconnect();
});

const text = async (locator: Locator) => (await locator.textContent())?.trim();
const button = (page: Page, name: string) => page.getByRole('button', { name, exact: true });

/** Like a person following the command: the install link it names gives the agent's settings. */
async function agentSettingsFrom(installCommand: string): Promise<{ agentId: string; secret: string }> {
  const url = /'(https?:\/\/[^']+\/api\/v1\/agent\/install\/[^']+)'/.exec(installCommand)?.[1];
  if (!url) throw new Error(`no install link in ${installCommand}`);
  const res = await fetch(url);
  expect(res.status).toBe(200);
  const manifest = parse(await res.text()) as { services: Record<string, { environment: Record<string, string> }> };
  const env = manifest.services['flotilla-agent']?.environment ?? {};
  return { agentId: env.FLOTILLA_AGENT_ID ?? '', secret: env.FLOTILLA_AGENT_SECRET ?? '' };
}

async function markNoReload(page: Page): Promise<void> {
  await page.evaluate(() => {
    (window as unknown as { __noReload: boolean }).__noReload = true;
  });
}
async function expectNoReload(page: Page): Promise<void> {
  expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
}

let vendorPage: WatchedPage | undefined;
async function vendor(): Promise<WatchedPage> {
  vendorPage ??= await signInWithForm(await open('vendor'), base, admin.email, admin.password, '/');
  return vendorPage;
}

describe('the installation page in a real browser', () => {
  it('renders from a deep link and a reload, like every vendor page with an id in its path', async () => {
    step('sign in, then open the installation by its URL (a bookmark)');
    const signedIn = await vendor();
    const { page } = signedIn;
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
    await expect.poll(() => text(page.getByTestId(`target-${ids.installation}`).getByTestId('target-name')), { timeout: UI_TIMEOUT }).toBe('globex-prod');
    expect(signedIn.errors).toEqual([]);
  });

  it('Connect agent shows the install command and goes from waiting to connected live; Regenerate credentials disconnects the old agent', async () => {
    const { page, errors } = await vendor();
    step('open the installation without an agent');
    await page.goto(`${base}/installations/${ids.connect}`);
    const state = page.getByTestId('agent-connection');
    expect(await state.getAttribute('data-state')).toBe('none');
    await markNoReload(page);

    step('Connect agent');
    await button(page, 'Connect agent').click();
    const command = (await text(page.getByTestId('install-command'))) ?? '';
    expect(command).toMatch(/^curl -fsSL '.+\/api\/v1\/agent\/install\/.+' \| docker compose -p \S+ -f - up -d$/);
    expect(await text(page.getByTestId('install-expiry'))).toBe('single-use link, expires in 1 hour');
    expect(await page.getByTestId('install-command-copy').isVisible()).toBe(true);
    // The page is opened on 127.0.0.1: no warning about the hub URL.
    expect(await page.getByTestId('hub-url-warning').count()).toBe(0);
    expect(await state.getAttribute('data-state')).toBe('waiting');
    expect(await text(state)).toBe('Waiting for the agent…');
    await shot(page, 'installation-connect-waiting');

    step('the agent starts from what the link gives');
    const first = await agentSettingsFrom(command);
    const agent = await simAgent(base, ids.connect, first.agentId, first.secret);
    sockets.push(agent.socket);
    await expect.poll(() => text(state), { timeout: UI_TIMEOUT }).toBe('Connected: sim, agent 0.1.0-test');
    expect(await text(page.getByTestId('last-seen'))).toBe('online now');
    await shot(page, 'installation-connect-connected');

    step('Regenerate credentials, confirmed: the old agent is disconnected, the panel waits for the new one');
    const dropped = new Promise<void>((resolve) => agent.socket.once('disconnect', () => resolve()));
    await button(page, 'Regenerate credentials').click();
    expect(await text(page.locator('.confirm__question'))).toContain('the old agent is disconnected');
    await page.getByTestId('regenerate-credentials-confirm').click();
    await dropped;
    await expect.poll(() => state.getAttribute('data-state'), { timeout: UI_TIMEOUT }).toBe('waiting');
    const command2 = (await text(page.getByTestId('install-command'))) ?? '';
    expect(command2).not.toBe(command);
    const second = await agentSettingsFrom(command2);
    expect(second.agentId).not.toBe(first.agentId);
    const again = await connectAgent(base, second.agentId, second.secret, { agentVersion: '0.2.0-test' });
    sockets.push(again);
    await again.emitWithAck('agent:hello', { host: { hostname: 'edge-7', os: 'linux', arch: 'arm64' }, appliedRevision: 0, components: [] });
    await expect.poll(() => text(state), { timeout: UI_TIMEOUT }).toBe('Connected: edge-7, agent 0.2.0-test');
    await expectNoReload(page);
    expect(errors).toEqual([]);
  });

  it('the uptime bar, health, last seen and the timeline follow a disconnection live; Deploy offers the versions of its kind', async () => {
    const { page, errors } = await vendor();
    await page.goto(`${base}/installations/${ids.connect}`);
    await expect.poll(() => text(page.getByTestId('agent-connection')), { timeout: UI_TIMEOUT }).toBe('Connected: edge-7, agent 0.2.0-test');
    const bar = page.getByTestId('uptime-bar');
    expect(await bar.getAttribute('data-window')).toBe('24h');
    expect(await bar.getByTestId('uptime-segment').count()).toBe(24);
    const current = bar.getByTestId('uptime-segment').last();
    const incidents = Number(await current.getAttribute('data-incidents'));
    await markNoReload(page);
    await shot(page, 'installation-uptime-online');

    step('the agent disconnects');
    const agent = sockets.at(-1);
    if (!agent) throw new Error('no agent');
    agent.disconnect();
    await expect.poll(() => page.getByTestId('installation-health').getAttribute('data-health'), { timeout: UI_TIMEOUT }).toBe('unknown');
    await expect.poll(() => text(page.getByTestId('last-seen')), { timeout: UI_TIMEOUT }).toMatch(/^last seen (just now|\d+ s ago)$/);
    // The current hour counts the disconnection as an incident, without a reload.
    await expect.poll(async () => Number(await current.getAttribute('data-incidents')), { timeout: UI_TIMEOUT }).toBe(incidents + 1);
    const offlineThen = Number(await current.getAttribute('data-offline-percent'));
    await current.hover();
    expect(await text(current.getByTestId('uptime-tooltip'))).toMatch(/^\d{4}-\d\d-\d\d \d\d:00–\d\d:00 UTC: online [\d.]+%, degraded [\d.]+%, offline [\d.]+%.*, \d+ incidents?$/);
    // The timeline got the disconnection on top, live.
    await expect.poll(() => page.getByTestId('events').locator('li').first().getAttribute('data-type'), { timeout: UI_TIMEOUT }).toBe('disconnected');
    await shot(page, 'installation-uptime-disconnected');

    step('Deploy: no track, so versions of compose applications; archived versions are not offered');
    await button(page, 'Deploy').click();
    await page.getByLabel('Application version', { exact: true }).waitFor();
    const options = await page.getByLabel('Application version', { exact: true }).locator('option').allTextContents();
    expect(options.map((o) => o.trim())).toEqual(['— pick a version —', 'shop-api 2.0.0', 'shop-web 1.1.0', 'web 1.0.0']);
    await page.getByLabel('Application version', { exact: true }).selectOption({ label: 'web 1.0.0' });
    await button(page, 'Deploy').click();
    const result = page.getByTestId('deploy-result');
    await expect.poll(() => result.getAttribute('data-state'), { timeout: UI_TIMEOUT }).toBe('waiting');
    expect(await text(result)).toMatch(/^Revision 1 \(web 1\.0\.0\) waits for the agent to connect\.$/);
    expect(await text(page.getByTestId('desired-version'))).toBe('1.0.0');
    // The deploy's live status refetched the bar: the offline time of the current hour grew meanwhile.
    await expect.poll(async () => Number(await current.getAttribute('data-offline-percent')), { timeout: UI_TIMEOUT }).toBeGreaterThan(offlineThen);
    await expect.poll(() => page.getByTestId('events').locator('li').first().getAttribute('data-type'), { timeout: UI_TIMEOUT }).toBe('deployed');

    step('the other windows, and the fleet table');
    await page.getByTestId('uptime-tab-7d').click();
    await expect.poll(() => bar.getAttribute('data-window'), { timeout: UI_TIMEOUT }).toBe('7d');
    expect(await bar.getByTestId('uptime-segment').count()).toBe(7);
    await page.getByTestId('uptime-tab-30d').click();
    await expect.poll(() => bar.getByTestId('uptime-segment').count(), { timeout: UI_TIMEOUT }).toBe(30);
    expect(await bar.getByTestId('uptime-segment').first().getAttribute('data-state')).toBe('no-data');
    await expectNoReload(page);
    await page.getByTestId('nav-fleet').click();
    const row = page.getByTestId(`installation-${ids.connect}`);
    expect(await row.getByTestId('health').getAttribute('data-health')).toBe('unknown');
    expect(await row.getByTestId('online').getAttribute('data-online')).toBe('false');
    expect(errors).toEqual([]);
  });

  it('the events timeline pages back with Load more', async () => {
    const creds = (await api.post<AgentCredentials>(`/installations/${ids.installation}/agent-credentials`)).body;
    // Twelve sessions: 24 connected/disconnected events (and whatever the waiting rollout adds).
    for (let i = 0; i < 12; i++) {
      const socket = await connectAgent(base, creds.agentId, creds.secret);
      const gone = new Promise<void>((resolve) => socket.once('disconnect', () => resolve()));
      socket.disconnect();
      await gone;
    }
    // Every session's `disconnected` event is written, and nothing more arrives (a disconnect is
    // written after the socket closed, and the rollout's events may come after the 24th).
    const timeline = async () => (await api.get<{ items: { type: string }[] }>(`/installations/${ids.installation}/events?limit=100`)).body.items;
    await expect.poll(async () => (await timeline()).filter((e) => e.type === 'disconnected').length, { timeout: UI_TIMEOUT }).toBeGreaterThanOrEqual(12);
    let total = -1;
    await expect
      .poll(
        async () => {
          const before = total;
          await new Promise((resolve) => setTimeout(resolve, 500));
          total = (await timeline()).length;
          return total === before;
        },
        { timeout: UI_TIMEOUT },
      )
      .toBe(true);
    expect(total).toBeGreaterThanOrEqual(24);
    const { page, errors } = await vendor();
    await page.goto(`${base}/installations/${ids.installation}`);
    const rows = page.getByTestId('events').locator('li');
    await expect.poll(() => rows.count(), { timeout: UI_TIMEOUT }).toBe(20);
    await button(page, 'Load more').click();
    await expect.poll(() => rows.count(), { timeout: UI_TIMEOUT }).toBe(total);
    expect(await page.getByTestId('events-load-more').count()).toBe(0);
    const eventIds = await rows.evaluateAll((items) => items.map((li) => Number(li.getAttribute('data-testid')?.replace('event-', ''))));
    expect(eventIds).toEqual([...eventIds].sort((a, b) => b - a));
    expect(errors).toEqual([]);
  });

  it('deploys a two-component release from the page, converging live, and shows its versions truthfully', async () => {
    const creds = (await api.post<AgentCredentials>(`/installations/${ids.twoComp}/agent-credentials`)).body;
    const agent: SimAgent = await simAgent(base, ids.twoComp, creds.agentId, creds.secret, 600);
    sockets.push(agent.socket);
    const { page, errors } = await vendor();
    await page.goto(`${base}/installations/${ids.twoComp}`);
    await expect.poll(() => text(page.getByTestId('last-seen')), { timeout: UI_TIMEOUT }).toBe('online now');
    await markNoReload(page);

    step('Deploy → release 1.1.0');
    await button(page, 'Deploy').click();
    await page.getByLabel('Release', { exact: true }).selectOption({ label: '1.1.0 — Autumn' });
    await shot(page, 'installation-deploy-form');
    await button(page, 'Deploy').click();
    const result = page.getByTestId('deploy-result');
    await result.waitFor();
    await expect.poll(() => result.getAttribute('data-state'), { timeout: UI_TIMEOUT }).toBe('applied');
    expect(await text(result)).toMatch(/^Revision \d+ \(release 1\.1\.0 — Autumn\) applied, healthy\.$/);

    step('per component: desired = running, no drift; the page runs release 1.1.0');
    for (const [name, version] of [
      ['shop-web', '1.1.0'],
      ['shop-api', '2.0.0'],
    ] as const) {
      const row = page.getByTestId(`component-${name}`);
      await expect.poll(() => text(row.getByTestId('component-running')), { timeout: UI_TIMEOUT }).toBe(version);
      expect(await text(row.getByTestId('component-desired'))).toBe(version);
      expect(await row.getAttribute('data-drift')).toBe('false');
    }
    await expect.poll(() => text(page.getByTestId('running-version')), { timeout: UI_TIMEOUT }).toBe('1.1.0');
    expect(await page.getByTestId('version-drift').getAttribute('data-drift')).toBe('false');
    await shot(page, 'installation-deployed');

    step('web falls back to 1.0.0: drift for that component only, on the page and the fleet table');
    const since = new Date().toISOString();
    await agent.socket.emitWithAck('status:report', {
      revision: agent.applied,
      components: [
        { name: 'shop-web', version: '1.0.0', health: 'healthy', since },
        { name: 'shop-api', version: '2.0.0', health: 'healthy', since },
      ],
    });
    await expect.poll(() => text(page.getByTestId('version-drift')), { timeout: UI_TIMEOUT }).toBe('shop-web runs 1.0.0, desired 1.1.0');
    expect(await page.getByTestId('component-shop-web').getAttribute('data-drift')).toBe('true');
    expect(await page.getByTestId('component-shop-api').getAttribute('data-drift')).toBe('false');
    await expectNoReload(page);
    await shot(page, 'installation-drift');
    await page.getByTestId('nav-fleet').click();
    const fleetRow = page.getByTestId(`installation-${ids.twoComp}`);
    expect(await fleetRow.getByTestId('running-version').getAttribute('data-drift')).toBe('true');
    expect(await text(fleetRow.getByTestId('version-drift'))).toBe('shop-web runs 1.0.0, desired 1.1.0');
    await shot(page, 'fleet-drift');
    expect(errors).toEqual([]);
  });
});

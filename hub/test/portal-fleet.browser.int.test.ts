/// <reference lib="dom" />
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import type { Health } from '@flotilla/protocol';
import { ApiClient, COMPOSE_V1, created } from './api-client.js';
import { randomSuffix, withSeedQuery } from './helpers.js';
import { shot, signInWithForm, UI_TIMEOUT, useBrowserSuite } from './browser-helpers.js';
import { connectAgent, host, type AgentSocket } from './sim-agent.js';
import { seedCustomers, seedInstallations, type SeededAgent } from '../src/dev/fleet-seed.js';

/**
 * The fleet page at scale in a real Chromium: 2 000 installations seeded in SQL, a virtualised
 * table (far fewer rows in the DOM than installations, the last one reachable by scrolling),
 * search, filters and sort in the URL (surviving a reload), and a live patch moving a row into
 * and out of a filtered view.
 */
const suite = useBrowserSuite();
const { open } = suite;

const COUNT = 2000;
let base: string;
let admin: { email: string; password: string };
let agents: SeededAgent[] = [];
let agent: AgentSocket | undefined;
let trackId = '';

beforeAll(async () => {
  base = suite.base;
  const api = new ApiClient(base);
  const signed = await api.signup(randomSuffix());
  admin = signed;
  const app = await created(api.post('/applications', { name: 'web', kind: 'compose' }));
  const track = await created(api.post('/tracks', { name: 'Stable', applicationIds: [app] }));
  trackId = track;
  const releases: { id: string; version: string }[] = [];
  for (const version of ['1.0.0', '1.1.0']) {
    const v = await created(api.post(`/applications/${app}/versions`, { version, compose: { file: COMPOSE_V1 } }));
    const r = await created(api.post(`/tracks/${track}/releases`, { version, stages: [[{ applicationId: app, versionId: v }]] }));
    expect((await api.post(`/releases/${r}/lock`)).status).toBe(200);
    releases.push({ id: r, version });
  }
  await withSeedQuery(suite.databaseUrl, async (query) => {
    const customerIds = await seedCustomers(query, signed.vendorId, 20, 'Fleet');
    const [r100, r110] = releases as [{ id: string; version: string }, { id: string; version: string }];
    agents = await seedInstallations(query, {
      vendorId: signed.vendorId,
      customerIds,
      count: COUNT,
      namePrefix: 'site',
      slots: [
        { trackId: track, releaseId: r110.id, version: r110.version },
        { trackId: track, releaseId: r110.id, version: r110.version },
        { trackId: track, releaseId: r100.id, version: r100.version },
        { trackId: null, releaseId: null, version: null },
      ],
      agents: { count: 2, secretPrefix: `fas_seed_${randomSuffix()}_` },
    });
  });
});

afterAll(async () => {
  agent?.close();
});

const text = async (locator: Locator) => (await locator.textContent())?.trim();
const rows = (page: Page) => page.locator('[data-testid="installations-table"] tbody tr[data-installation-id]');
const matching = (page: Page) => page.getByTestId('fleet-results').getAttribute('data-count');

describe('the fleet page with 2 000 installations', () => {
  it('virtualises the list, scrolls to the last installation, sorts, filters through the URL and patches live', async () => {
    const vendor = await signInWithForm(await open('vendor'), base, admin.email, admin.password, '/');
    const { page } = vendor;
    await expect.poll(() => matching(page), { timeout: UI_TIMEOUT }).toBe(String(COUNT));
    const table = page.getByTestId('installations-table');
    expect(await table.getAttribute('aria-rowcount')).toBe(String(COUNT + 1));
    const rendered = await rows(page).count();
    expect(rendered).toBeGreaterThan(5);
    expect(rendered).toBeLessThan(100);
    await shot(page, 'fleet-2000');
    if (process.env.BROWSER_SHOTS) await page.screenshot({ path: `${process.env.BROWSER_SHOTS}/fleet-2000-viewport.png` });

    // Versions across the fleet: a bar per track with a text equivalent (slots: 1.1.0 twice, 1.0.0, no track).
    const chart = page.getByTestId('fleet-versions-chart');
    const stable = chart.getByTestId(`versions-track-${trackId}`);
    await expect.poll(() => stable.getAttribute('data-total'), { timeout: UI_TIMEOUT }).toBe('1500');
    expect(await stable.getByTestId('versions-bar').getAttribute('title')).toBe('Stable: 1.1.0 on 1000 (66.7 %), 1.0.0 on 500 (33.3 %)');
    expect((await stable.getByTestId('versions-segment').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim())).toEqual(['1.1.0 1000 (66.7 %)', '1.0.0 500 (33.3 %)']);
    expect(await chart.getByTestId('versions-track-none').getAttribute('data-total')).toBe('500');
    expect(await page.getByTestId('fleet-drift-more').isVisible()).toBe(true);
    if (process.env.BROWSER_SHOTS) await chart.screenshot({ path: `${process.env.BROWSER_SHOTS}/fleet-versions-chart.png` });

    // Default order: customer, then name. The last customer is "Fleet 020" (g mod 20 = 19), its last site-01999.
    await page.getByRole('region', { name: 'Installations' }).evaluate((el) => {
      el.scrollTop = el.scrollHeight;
    });
    const last = rows(page).last();
    await expect.poll(() => text(last.getByTestId('name')), { timeout: UI_TIMEOUT }).toBe('site-01999');
    expect(await last.getAttribute('aria-rowindex')).toBe(String(COUNT + 1));
    expect(await text(last.getByTestId('customer'))).toBe('Fleet 020');
    expect(await last.isVisible()).toBe(true);
    expect(await rows(page).count()).toBeLessThan(100);

    // Sort by installation name: a click ascending, a second descending, in the URL and aria-sort.
    const nameHeader = page.locator('th[data-sort-key="name"]');
    await nameHeader.getByRole('button').click();
    await expect.poll(() => nameHeader.getAttribute('aria-sort')).toBe('ascending');
    await nameHeader.getByRole('button').click();
    await expect.poll(() => nameHeader.getAttribute('aria-sort')).toBe('descending');
    expect(new URL(page.url()).searchParams.get('sort')).toBe('name');
    expect(new URL(page.url()).searchParams.get('dir')).toBe('desc');
    await page.getByRole('region', { name: 'Installations' }).evaluate((el) => {
      el.scrollTop = 0;
    });
    await expect.poll(() => text(rows(page).first().getByTestId('name'))).toBe('site-02000');
    expect(await page.locator('th[data-sort-key="customer"]').getAttribute('aria-sort')).toBe('none');

    // Search and a filter; the seed makes site-00121 the only failed one of site-00120…00129.
    await page.getByLabel('Search').fill('site-0012');
    await expect.poll(() => matching(page)).toBe('10');
    expect(await rows(page).count()).toBe(10);
    await page.getByLabel('Health').selectOption('failed');
    await expect.poll(() => matching(page)).toBe('1');
    expect(await text(rows(page).first().getByTestId('name'))).toBe('site-00121');
    await page.getByLabel('Release').selectOption('1.1.0');
    await expect.poll(() => matching(page)).toBe('1');
    await page.getByLabel('Release').selectOption('1.0.0');
    await expect.poll(() => matching(page)).toBe('0');
    await expect.poll(() => page.getByTestId('fleet-no-match').isVisible()).toBe(true);
    await page.getByLabel('Release').selectOption('');
    const url = new URL(page.url());
    expect(Object.fromEntries(url.searchParams)).toEqual({ q: 'site-0012', health: 'failed', sort: 'name', dir: 'desc' });

    // The filtered view is a link: it survives a reload.
    await page.reload();
    await expect.poll(() => matching(page), { timeout: UI_TIMEOUT }).toBe('1');
    expect(await page.getByLabel('Search').inputValue()).toBe('site-0012');
    expect(await page.getByTestId('fleet-filter-health').inputValue()).toBe('failed');
    await shot(page, 'fleet-filtered');

    // Live: site-00001 (seeded failed) is outside "degraded"; its agent reports degraded, then healthy.
    const seeded = agents[0];
    if (!seeded) throw new Error('no seeded agent');
    await page.goto(`${base}/?q=site-00001&health=degraded`);
    await expect.poll(() => matching(page), { timeout: UI_TIMEOUT }).toBe('0');
    await expect.poll(() => page.getByTestId('live-status').getAttribute('data-state'), { timeout: UI_TIMEOUT }).toBe('live');
    agent = await connectAgent(base, seeded.agentId, seeded.secret);
    await agent.emitWithAck('agent:hello', { host, appliedRevision: 0, components: [] });
    const report = (health: Health) => agent?.emitWithAck('status:report', { revision: 0, components: [{ name: 'web', version: '1.1.0', health, since: new Date().toISOString() }] });
    expect(await report('degraded')).toEqual({ ok: true });
    await expect.poll(() => matching(page), { timeout: UI_TIMEOUT }).toBe('1');
    expect(await rows(page).first().getAttribute('data-installation-id')).toBe(seeded.installationId);
    expect(await report('healthy')).toEqual({ ok: true });
    await expect.poll(() => matching(page), { timeout: UI_TIMEOUT }).toBe('0');

    await page.getByTestId('fleet-clear-filters').click();
    await expect.poll(() => matching(page)).toBe(String(COUNT));
    expect(new URL(page.url()).search).toBe('');
    expect(vendor.errors).toEqual([]);
  });
});

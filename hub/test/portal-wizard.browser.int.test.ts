/// <reference lib="dom" />
import { beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import type { Release, Rollout } from '@flotilla/protocol';
import { ApiClient, created } from './api-client.js';
import { randomSuffix } from './helpers.js';
import { UI_TIMEOUT, shot, signInWithForm, type WatchedPage, useBrowserSuite } from './browser-helpers.js';

/**
 * The rollout wizard's eligibility in the real portal: installations without the release's track are
 * listed as left out with the reason, Next stays disabled with nothing to target and the page says why;
 * setting their track (`PATCH /installations/:id {trackId}`) puts them in the waves, and the review
 * step names each wave's members and the canary, as the hub then forms them. The audit log names the
 * track change's target and links to it.
 */
const suite = useBrowserSuite();
const { step } = suite;

let base: string;
let api: ApiClient;
let admin: { email: string; password: string };
const ids = { shop: '', legacy: '', release: '', globex: '', main: '', backup: '', old: '' };

beforeAll(async () => {
  base = suite.base;

  api = new ApiClient(base);
  admin = await api.signup(randomSuffix());
  const app = await created(api.post('/applications', { name: 'shop', kind: 'compose' }));
  const version = await created(api.post(`/applications/${app}/versions`, { version: '1.0.0', compose: { file: 'services:\n  shop:\n    image: sim/shop:1.0.0\n' } }));
  ids.shop = await created(api.post('/tracks', { name: 'Shop', applicationIds: [app] }));
  ids.legacy = await created(api.post('/tracks', { name: 'Legacy', applicationIds: [app] }));
  ids.release = await created(api.post<Release>(`/tracks/${ids.shop}/releases`, { version: '1.2.0', stages: [[{ applicationId: app, versionId: version }]] }));
  expect((await api.post(`/releases/${ids.release}/lock`)).status).toBe(200);
  ids.globex = await created(api.post('/customers', { name: 'Globex' }));
  await created(api.post('/entitlements', { customerId: ids.globex, trackId: ids.shop }));
  // Two installations created without a track, one on another track.
  const install = (name: string, trackId?: string) => created(api.post('/installations', { customerId: ids.globex, name, environment: 'production', agentKind: 'compose', ...(trackId ? { trackId } : {}) }));
  ids.main = await install('main');
  ids.backup = await install('backup');
  ids.old = await install('old', ids.legacy);
});

async function signIn(): Promise<WatchedPage> {
  const watched = await suite.open('vendor-admin');
  return signInWithForm(watched, base, admin.email, admin.password, '/');
}

const text = async (locator: Locator) => (await locator.textContent())?.replace(/\s+/g, ' ').trim();
const button = (page: Page, name: string) => page.getByRole('button', { name, exact: true });

/** Opens the wizard on the release and goes to the targets step. */
async function targetsStep(page: Page): Promise<void> {
  await page.goto(`${base}/rollouts/new?releaseId=${ids.release}`);
  await expect.poll(() => page.getByLabel('Release', { exact: true }).inputValue(), { timeout: UI_TIMEOUT }).toBe(ids.release);
  await button(page, 'Next').click();
  await page.getByTestId('wizard-step-2').and(page.locator('[aria-current="step"]')).waitFor();
  // The hub's preview has answered.
  await expect.poll(() => page.getByTestId('wizard-target-count').getAttribute('aria-busy'), { timeout: UI_TIMEOUT }).toBe('false');
}

describe('rollout wizard eligibility in a real browser', () => {
  it("lists installations without the track as left out and why; after a track change the review names the waves and the canary; the audit log links the change's target", async () => {
    const vendor = await signIn();
    const page = vendor.page;

    step('nothing on the track: Next disabled, the page says why, each installation left out with its reason');
    await targetsStep(page);
    expect(await page.getByTestId('wizard-target-count').getAttribute('data-count')).toBe('0');
    expect(await button(page, 'Next').isDisabled()).toBe(true);
    expect(await text(page.getByTestId('wizard-no-targets'))).toBe("No installation is on the track Shop: set an installation's track on its page.");
    const left = page.getByTestId('wizard-ineligible');
    expect(await left.getByTestId(`ineligible-${ids.main}`).getAttribute('data-reason')).toBe('no-track');
    expect(await left.getByTestId(`ineligible-${ids.backup}`).getAttribute('data-reason')).toBe('no-track');
    expect(await left.getByTestId(`ineligible-${ids.old}`).getAttribute('data-reason')).toBe('other-track');
    expect(await text(left.getByTestId('ineligible-no-track'))).toContain('Not on a release track');
    expect(await text(left.getByTestId(`ineligible-${ids.main}`))).toMatch(/^main \(Globex\): \S/);
    await shot(page, 'wizard-no-targets');

    step('set the track of main and backup in their settings on the installation page');
    for (const id of [ids.main, ids.backup]) {
      await page.goto(`${base}/installations/${id}`);
      const settings = page.getByTestId('installation-settings');
      await settings.getByLabel('Track').selectOption({ label: 'Shop' });
      await settings.getByRole('button', { name: 'Save settings' }).click();
      await settings.getByTestId('installation-settings-saved').waitFor();
    }

    step('now both are targets; picking none of them disables Next again, saying so');
    await targetsStep(page);
    expect(await page.getByTestId('wizard-target-count').getAttribute('data-count')).toBe('2');
    expect(await page.getByTestId('wizard-no-targets').count()).toBe(0);
    expect(await page.getByTestId(`ineligible-${ids.main}`).count()).toBe(0);
    expect(await page.getByTestId(`ineligible-${ids.old}`).getAttribute('data-reason')).toBe('other-track');
    await page.getByLabel('Installations', { exact: true }).check();
    expect(await button(page, 'Next').isDisabled()).toBe(true);
    expect(await text(page.getByTestId('wizard-no-targets'))).toBe('Pick at least one installation');
    await page.getByLabel('All installations on the track', { exact: true }).check();
    await expect.poll(() => button(page, 'Next').isDisabled(), { timeout: UI_TIMEOUT }).toBe(false);
    await button(page, 'Next').click();

    step('strategy: canary then all, durations in minutes');
    await button(page, 'Canary then all').click();
    await page.getByLabel('Soak', { exact: true }).fill('30');
    await button(page, 'Next').click();

    step('review: each wave by name, the canary marked, who is left out');
    expect(await page.getByTestId('wizard-step-4').getAttribute('aria-current')).toBe('step');
    const wave0 = page.getByTestId('review-wave-0');
    await wave0.waitFor();
    expect(await wave0.getAttribute('data-canary')).toBe('true');
    expect(await text(wave0.locator('h3'))).toBe('Wave 1 · canary');
    const canaryNames = await wave0.getByTestId('review-member-name').allTextContents();
    expect(canaryNames).toHaveLength(1);
    expect(await wave0.getByTestId('review-canary').count()).toBe(1);
    const wave1 = page.getByTestId('review-wave-1');
    expect(await wave1.getAttribute('data-canary')).toBe('false');
    const restNames = await wave1.getByTestId('review-member-name').allTextContents();
    expect([...canaryNames, ...restNames].sort()).toEqual(['backup', 'main']);
    expect(await page.getByTestId(`ineligible-${ids.old}`).getAttribute('data-reason')).toBe('other-track');
    expect(await text(page.getByTestId('wizard-review-summary'))).toContain('soak 30 min · health timeout 10 min');
    await shot(page, 'wizard-review');

    step('start: the hub forms the waves the review showed');
    await button(page, 'Start rollout').click();
    await page.waitForURL((url) => /^\/rollouts\/[0-9a-f-]{36}$/.test(url.pathname));
    const rolloutId = new URL(page.url()).pathname.split('/').pop() ?? '';
    const rollout = (await api.get<Rollout>(`/rollouts/${rolloutId}`)).body;
    const nameOf = (id: string) => (id === ids.main ? 'main' : id === ids.backup ? 'backup' : id);
    expect(rollout.targets.filter((t) => t.wave === 0).map((t) => nameOf(t.installationId))).toEqual(canaryNames);
    expect(rollout.strategy.soakSeconds).toBe(1800);
    await page.getByTestId('rollout-strategy').waitFor();
    expect(await text(page.getByTestId('rollout-strategy'))).toContain('soak 30 min · health timeout 10 min');

    step("audit log: the track change names the installation and links to it");
    await page.getByTestId('nav-audit').click();
    const change = page.locator(`[data-testid="audit-row"][data-action="installation.update"]`).filter({ has: page.locator(`[title="${ids.main}"]`) });
    await change.waitFor();
    const target = change.getByTestId('target');
    expect(await target.getAttribute('data-target-type')).toBe('installation');
    expect(await text(target)).toBe('installation main (Globex)');
    const release = page.locator(`[data-testid="audit-row"][data-action="release.create"]`);
    expect(await text(release.getByTestId('target'))).toBe('release Shop 1.2.0');
    expect(await release.getByTestId('target-link').getAttribute('href')).toBe(`/releases/${ids.release}`);
    expect(await text(page.locator(`[data-testid="audit-row"][data-action="rollout.create"]`).getByTestId('target'))).toBe('rollout Shop 1.2.0');
    await shot(page, 'audit-targets');
    await target.getByTestId('target-link').click();
    await page.waitForURL((url) => url.pathname === `/installations/${ids.main}`);
    expect(vendor.errors).toEqual([]);
  }, 60_000);
});

import { beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import type { CreatedInvite, Release } from '@flotilla/protocol';
import { ApiClient, COMPOSE_V1, created } from './api-client.js';
import { randomSuffix } from './helpers.js';
import { UI_TIMEOUT, type WatchedPage, signInWithForm, shot, useBrowserSuite } from './browser-helpers.js';

/**
 * Release management in the real portal (portal/dist) on a real hub, driven by a real Chromium:
 * a vendor admin builds a release in the release editor (stages in release order, pinned versions,
 * instructions, checklist, Markdown notes), saves and locks it; a customer admin, in a browser
 * context of their own, then finds it under "Available updates" of their installation, with its notes.
 */
const suite = useBrowserSuite();
const { open, step } = suite;

const PASSWORD = 'correct horse battery staple';
const NOTES = ['## Highlights', '', '- **Faster** sync of large fleets', '- Fixed `retry` backoff', '', '<script>window.__pwned = 1</script>'].join('\n');

let base: string;
let api: ApiClient;
let admin: { email: string; password: string };
let customerUser: { email: string };
const ids = { migrator: '', api: '', migrator110: '', api210: '', track: '', customer: '', installation: '' };

beforeAll(async () => {
  base = suite.base;

  api = new ApiClient(base);
  admin = await api.signup(randomSuffix());
  ids.migrator = await created(api.post('/applications', { name: 'migrator', kind: 'compose' }));
  ids.api = await created(api.post('/applications', { name: 'api', kind: 'compose' }));
  await created(api.post(`/applications/${ids.migrator}/versions`, { version: '1.0.0', compose: { file: COMPOSE_V1 } }));
  ids.migrator110 = await created(api.post(`/applications/${ids.migrator}/versions`, { version: '1.1.0', compose: { file: COMPOSE_V1 } }));
  await created(api.post(`/applications/${ids.api}/versions`, { version: '2.0.0', compose: { file: COMPOSE_V1 } }));
  ids.api210 = await created(api.post(`/applications/${ids.api}/versions`, { version: '2.1.0', compose: { file: COMPOSE_V1 } }));
  ids.track = await created(api.post('/tracks', { name: 'Acme Platform', applicationIds: [ids.migrator, ids.api] }));
  ids.customer = await created(api.post('/customers', { name: 'Globex' }));
  ids.installation = await created(
    api.post('/installations', { customerId: ids.customer, name: 'Globex production', environment: 'production', agentKind: 'compose', trackId: ids.track }),
  );
  await created(api.post('/entitlements', { customerId: ids.customer, trackId: ids.track }));

  // The customer admin: invited and accepted through the API (the identity browser test covers the pages).
  customerUser = { email: `carol-${randomSuffix()}@example.com` };
  const invite = await api.post<CreatedInvite>('/invites', { email: customerUser.email, role: 'admin', customerId: ids.customer });
  expect(invite.status).toBe(201);
  const token = new URL(invite.body.inviteUrl).pathname.split('/').pop() ?? '';
  const accepted = await new ApiClient(base).post(`/invites/${token}/accept`, { name: 'Carol Customer', password: PASSWORD });
  expect(accepted.status).toBe(200);
});

async function signIn(name: string, email: string, password: string, landing: string): Promise<WatchedPage> {
  return signInWithForm(await open(name), base, email, password, landing);
}

const text = async (locator: Locator) => (await locator.textContent())?.trim();
const button = (page: Page, name: string) => page.getByRole('button', { name, exact: true });
/** The application ids in each stage of the editor, in order. */
const stageContents = (page: Page) =>
  page.locator('[data-testid^="stage-"]:not([data-testid="stage-empty"]):not([data-testid="stages-empty"])').evaluateAll((stages) =>
    stages.map((s) => [...s.querySelectorAll('[data-application-id]')].map((c) => c.getAttribute('data-application-id') ?? '')),
  );

describe('release management in a real browser', () => {
  it('a vendor admin builds, saves and locks a release in the editor; the customer admin is offered it with its notes', async () => {
    step('vendor admin signs in');
    const vendor = await signIn('vendor-admin', admin.email, admin.password, '/');
    const page = vendor.page;

    step('tracks → track → new release');
    await page.getByTestId('nav-tracks').click();
    await page.getByTestId(`track-${ids.track}`).getByRole('link', { name: 'Acme Platform' }).click();
    await page.waitForURL((url) => url.pathname === `/tracks/${ids.track}`);
    expect(await text(page.getByTestId('track-applications'))).toBe('migrator, api');
    await page.getByTestId('releases-empty').waitFor();
    await page.getByLabel('Version', { exact: true }).fill('1.0.0');
    await page.getByLabel('Name', { exact: true }).fill('First light');
    await button(page, 'Create release').click();
    await page.waitForURL((url) => url.pathname.startsWith('/releases/'));
    const releaseId = new URL(page.url()).pathname.split('/').pop() ?? '';
    expect(await text(page.getByTestId('release-status'))).toBe('draft');
    expect(await page.getByTestId('release-save-state').getAttribute('data-dirty')).toBe('false');

    step('stages: both components in stage 1, migrator to a new stage, then stage 2 moved up');
    await page.getByTestId('stages-empty').waitFor();
    await button(page, 'Add stage').click();
    await page.getByLabel('Add component to stage 1', { exact: true }).selectOption({ label: 'api' });
    await button(page, 'Add to stage 1').click();
    await page.getByLabel('Add component to stage 1', { exact: true }).selectOption({ label: 'migrator' });
    await button(page, 'Add to stage 1').click();
    expect(await stageContents(page)).toEqual([[ids.api, ids.migrator]]);
    await page.getByLabel('Stage of migrator', { exact: true }).selectOption({ label: 'New stage' });
    expect(await stageContents(page)).toEqual([[ids.api], [ids.migrator]]);
    expect(await button(page, 'Move stage 1 up').isDisabled()).toBe(true);
    await button(page, 'Move stage 2 up').click();
    expect(await stageContents(page)).toEqual([[ids.migrator], [ids.api]]);

    step('versions, instructions, notes, checklist');
    await page.getByLabel('Version of migrator', { exact: true }).selectOption({ label: '1.1.0' });
    await page.getByLabel('Version of api', { exact: true }).selectOption({ label: '2.1.0' });
    await page.getByLabel('Instructions for migrator', { exact: true }).fill('Back up the database first.');
    await page.getByLabel('Release notes', { exact: true }).fill(NOTES);
    const preview = page.getByTestId('notes-preview');
    expect(await text(preview.locator('h2'))).toBe('Highlights');
    expect(await text(preview.locator('li strong'))).toBe('Faster');
    // Raw HTML in the notes is shown as text, never run.
    expect(await preview.locator('script').count()).toBe(0);
    expect(await preview.textContent()).toContain('<script>window.__pwned = 1</script>');
    await page.getByLabel('New checklist item', { exact: true }).fill('Smoke tests passed');
    await button(page, 'Add item').click();
    await page.getByLabel('Smoke tests passed', { exact: true }).waitFor();
    expect(await page.getByTestId('release-save-state').getAttribute('data-dirty')).toBe('true');

    await shot(page, 'editor-draft');
    step('save');
    await button(page, 'Save').click();
    await expect.poll(() => page.getByTestId('release-save-state').getAttribute('data-dirty'), { timeout: UI_TIMEOUT }).toBe('false');
    const saved = (await api.get<Release>(`/releases/${releaseId}`)).body;
    expect(saved).toMatchObject({
      status: 'draft',
      name: 'First light',
      notes: NOTES,
      stages: [[{ applicationId: ids.migrator, versionId: ids.migrator110, instructions: 'Back up the database first.' }], [{ applicationId: ids.api, versionId: ids.api210, instructions: null }]],
      checklist: [{ text: 'Smoke tests passed', done: false }],
    });

    step('lock refused until the checklist is ticked: the hub says why');
    await button(page, 'Lock').click();
    await expect.poll(() => text(page.getByTestId('release-error')), { timeout: UI_TIMEOUT }).toMatch(/every checklist item must be ticked/);
    expect(await text(page.getByTestId('release-status'))).toBe('draft');

    step('tick and lock (the pending tick is saved first)');
    await page.getByLabel('Smoke tests passed', { exact: true }).check();
    await button(page, 'Lock').click();
    await expect.poll(() => text(page.getByTestId('release-status')), { timeout: UI_TIMEOUT }).toBe('ready');
    expect(await page.getByTestId('release-error').count()).toBe(0);
    // Locked: a read-only view, and only what the lifecycle allows.
    await page.getByTestId('release-readonly').waitFor();
    expect(await button(page, 'Save').count()).toBe(0);
    expect(await page.getByLabel('Release notes', { exact: true }).count()).toBe(0);
    expect(await page.getByTestId('release-actions').getByRole('button').allTextContents().then((t) => t.map((s) => s.trim()))).toEqual(['Unlock', 'Hold', 'Delete']);
    expect(await text(page.getByTestId('stage-1').getByTestId('component-version'))).toBe('1.1.0');
    expect(await text(page.getByTestId('stage-2').getByTestId('component-version'))).toBe('2.1.0');
    expect(await text(page.getByTestId('release-notes').locator('h2'))).toBe('Highlights');
    expect((await api.get<Release>(`/releases/${releaseId}`)).body).toMatchObject({ status: 'ready', locked: true, checklist: [{ text: 'Smoke tests passed', done: true }] });

    step('mark it required');
    await page.getByRole('checkbox', { name: 'Required' }).check();
    await page.getByTestId('release-required-badge').waitFor();
    await expect.poll(async () => (await api.get<Release>(`/releases/${releaseId}`)).body.required, { timeout: UI_TIMEOUT }).toBe(true);
    await shot(page, 'editor-locked');
    step('the track page lists it as ready');
    await page.getByTestId('release-track-link').click();
    const row = page.getByTestId(`release-${releaseId}`);
    await row.waitFor();
    expect(await text(row.getByTestId('release-status'))).toBe('ready');
    expect(await text(row.getByTestId('name'))).toBe('First light');
    await shot(page, 'track');

    step('customer admin signs in, in a context of their own');
    const customer = await signIn('customer-admin', customerUser.email, PASSWORD, '/customer');
    const offered = customer.page.getByTestId(`updates-${ids.installation}`).getByTestId(`update-${releaseId}`);
    await offered.waitFor();
    expect(await text(offered.getByTestId('update-version'))).toBe('1.0.0');
    expect(await text(offered.getByTestId('update-name'))).toBe('First light');
    expect(await text(offered.getByTestId('update-required'))).toBe('Required');
    // Nothing older is required: it can be installed as is.
    expect(await offered.getByTestId('update-needs-first').count()).toBe(0);
    expect(await text(offered.getByTestId('release-notes').locator('h2'))).toBe('Highlights');
    expect(await text(offered.getByTestId('release-notes').locator('li strong'))).toBe('Faster');
    expect(await offered.getByTestId('release-notes').locator('script').count()).toBe(0);

    await shot(customer.page, 'customer-updates');
    step('release notes page');
    await customer.page.getByTestId('nav-customer-releases').click();
    const notes = customer.page.getByTestId(`customer-release-${releaseId}`);
    await notes.waitFor();
    expect(await text(notes.getByTestId('release-notes').locator('h2'))).toBe('Highlights');
    await shot(customer.page, 'customer-release-notes');

    step('install');
    await customer.page.getByTestId('nav-customer').click();
    await offered.waitFor();
    await offered.getByRole('button', { name: 'Install', exact: true }).click();
    await offered.getByTestId('install-confirm').click();
    await expect.poll(() => text(customer.page.getByTestId('install-result')), { timeout: UI_TIMEOUT }).toMatch(/^Installing 1\.0\.0 \(revision \d+\)/);
    await customer.page.getByTestId(`updates-${ids.installation}`).getByTestId('updates-empty').waitFor();
    expect(await text(customer.page.getByTestId(`updates-${ids.installation}`).getByTestId('current-version'))).toBe('Running release: 1.0.0');
    expect((await api.get<Release>(`/releases/${releaseId}`)).body.deployment).not.toBe('none');

    await shot(customer.page, 'customer-installed');
    step('done');
    for (const w of [vendor, customer]) expect(w.errors).toEqual([]);
    expect(await customer.page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();
  }, 90_000);

  it('a vendor admin grants and revokes a track on the customer page, and reads the version drift on the fleet page', async () => {
    const edge = await created(api.post('/tracks', { name: 'Acme Edge', applicationIds: [ids.api] }));
    step('vendor admin signs in');
    const vendor = await signIn('vendor-admin-2', admin.email, admin.password, '/');
    const page = vendor.page;

    step('fleet page: version drift');
    const drift = page.getByTestId(`drift-${ids.installation}`);
    await drift.waitFor();
    expect(await text(drift.getByTestId('customer'))).toBe('Globex');
    const summary = (await api.get<{ installations: { id: string; releasesBehind: number | null; version: string | null }[] }>('/fleet/summary')).body;
    const mine = summary.installations.find((i) => i.id === ids.installation);
    expect(await text(drift.getByTestId('releases-behind'))).toBe(String(mine?.releasesBehind ?? '—'));
    expect(await text(drift.getByTestId('version'))).toBe(mine?.version ?? '—');
    await shot(page, 'fleet');

    step('customer page: entitlements');
    await page.getByTestId('nav-customers').click();
    await page.getByTestId(`customer-${ids.customer}`).getByRole('link', { name: 'Globex' }).click();
    await page.waitForURL((url) => url.pathname === `/customers/${ids.customer}`);
    const rows = page.getByTestId('entitlements-table').locator('tbody tr');
    await rows.first().waitFor();
    expect(await rows.evaluateAll((r) => r.map((x) => x.getAttribute('data-track-id')))).toEqual([ids.track]);
    expect(await text(rows.first().getByTestId('range'))).toBe('every version');
    // One entitlement per track: only the other track is offered.
    expect(await page.getByLabel('Track', { exact: true }).locator('option').allTextContents()).toEqual(['Choose a track…', 'Acme Edge']);

    step('grant with a range and an expiry');
    await page.getByLabel('Track', { exact: true }).selectOption({ label: 'Acme Edge' });
    await page.getByLabel('Version range', { exact: true }).fill('>=2.0.0 <3.0.0');
    await page.getByLabel('Expires on', { exact: true }).fill('2099-12-31');
    await button(page, 'Grant access').click();
    const granted = page.locator(`[data-testid^="entitlement-"][data-track-id="${edge}"]`);
    await granted.waitFor();
    expect(await text(granted.getByTestId('range'))).toBe('>=2.0.0 <3.0.0');
    expect(await text(granted.getByTestId('expires'))).toBe('2099-12-31');
    expect(await text(granted.getByTestId('state'))).toBe('active');
    const listed = (await api.get<{ items: { trackId: string; versionRange: string | null; expiresAt: string | null }[] }>(`/entitlements?customerId=${ids.customer}`)).body.items;
    expect(listed.find((e) => e.trackId === edge)).toMatchObject({ versionRange: '>=2.0.0 <3.0.0', expiresAt: '2099-12-31T00:00:00.000Z' });
    await shot(page, 'customer-entitlements');

    step('revoke; then a bad range, which the hub refuses with a reason');
    await button(page, 'Revoke').last().click();
    await granted.getByTestId('entitlement-revoke-confirm').click();
    await expect.poll(() => granted.count(), { timeout: UI_TIMEOUT }).toBe(0);
    await page.getByLabel('Track', { exact: true }).selectOption({ label: 'Acme Edge' });
    await page.getByLabel('Version range', { exact: true }).fill('not a range');
    await button(page, 'Grant access').click();
    await expect.poll(() => text(page.getByTestId('entitlement-error')), { timeout: UI_TIMEOUT }).toMatch(/not a semver range/);
    expect((await api.get<{ items: { trackId: string }[] }>(`/entitlements?customerId=${ids.customer}`)).body.items.map((e) => e.trackId)).toEqual([ids.track]);

    step('done');
    expect(vendor.errors).toEqual([]);
  }, 60_000);
});

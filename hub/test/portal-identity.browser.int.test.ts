import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Invite, Member } from '@flotilla/protocol';
import { ApiClient } from './api-client.js';
import { randomSuffix } from './helpers.js';
import { UI_TIMEOUT, type WatchedPage, shot, useBrowserSuite } from './browser-helpers.js';

/**
 * Identity in the real portal (portal/dist) on a real hub, driven by a real Chromium: a vendor admin
 * invites people from the Users & invites page, and the invitees accept in their own browser
 * contexts, land in the right area, see only what their role and customer allow, and sign in again.
 */
const suite = useBrowserSuite();
const { open, step } = suite;

const PASSWORD = 'correct horse battery staple';

let base: string;
let api: ApiClient;
let admin: { email: string; password: string; userId: string };
let customerX: { id: string; installationId: string };
let customerY: { id: string; installationId: string };

async function customerWithInstallation(name: string): Promise<{ id: string; installationId: string }> {
  const customer = await api.post<{ id: string }>('/customers', { name });
  expect(customer.status).toBe(201);
  const inst = await api.post<{ id: string }>('/installations', { customerId: customer.body.id, name: `${name} production`, environment: 'production', agentKind: 'compose' });
  expect(inst.status).toBe(201);
  return { id: customer.body.id, installationId: inst.body.id };
}

beforeAll(async () => {
  base = suite.base;

  api = new ApiClient(base);
  admin = await api.signup(randomSuffix());
  customerX = await customerWithInstallation('Customer X');
  customerY = await customerWithInstallation('Customer Y');
});

const path = (page: Page) => new URL(page.url()).pathname;

/** Fills and submits the login form the page is on, and waits for the landing page. */
async function submitLogin(page: Page, email: string, password: string, landing: string): Promise<void> {
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname === landing);
}

async function signInAsAdmin(): Promise<WatchedPage> {
  const watched = await open('vendor-admin');
  await watched.page.goto(`${base}/login`);
  await submitLogin(watched.page, admin.email, admin.password, '/');
  return watched;
}

/** Invites through the form of the Users & invites page and returns the URL the page shows. */
async function inviteThroughPage(page: Page, email: string, role: string, customer?: string): Promise<string> {
  await page.getByLabel('Email', { exact: true }).fill(email);
  if (customer) await page.getByLabel('Customer', { exact: true }).selectOption({ label: customer });
  await page.getByLabel('Role', { exact: true }).selectOption(role);
  await page.getByRole('button', { name: 'Send invite' }).click();
  await expect.poll(async () => (await page.getByTestId('invite-result-email').textContent({ timeout: UI_TIMEOUT }))?.trim(), { timeout: UI_TIMEOUT }).toBe(email);
  const url = (await page.getByTestId('invite-url').textContent())?.trim() ?? '';
  expect(url).toMatch(new RegExp(`^${base.replace(/[.]/g, '\\.')}/invite/[A-Za-z0-9_-]+$`));
  // The test hub has no SMTP: the page says so, and the URL is the way to hand the invite on.
  expect(await page.getByTestId('invite-mailed').getAttribute('data-mailed')).toBe('false');
  return url;
}

/** Opens the invite URL in a fresh browser context and accepts it. */
async function acceptInvite(name: string, inviteUrl: string, userName: string, landing: string): Promise<WatchedPage> {
  const watched = await open(name);
  await watched.page.goto(inviteUrl);
  await watched.page.getByLabel('Your name').fill(userName);
  await watched.page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await watched.page.getByRole('button', { name: 'Accept invitation' }).click();
  await watched.page.waitForURL((url) => url.pathname === landing);
  return watched;
}

async function installationRows(page: Page): Promise<string[]> {
  return page.getByTestId('installations-table').locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-installation-id') ?? ''));
}

async function navTestIds(page: Page): Promise<string[]> {
  await page.getByTestId('user-name').waitFor();
  return page.locator('header nav [data-testid^="nav-"]').evaluateAll((links) => links.map((l) => l.getAttribute('data-testid') ?? ''));
}

async function logOut(page: Page): Promise<void> {
  await page.getByTestId('logout').click();
  await page.waitForURL((url) => url.pathname === '/login');
}

describe('invites and roles in a real browser', () => {
  // Slow steps (scrypt at sign-up, login and accept; page loads) add up on a busy machine.
  const TEST_TIMEOUT = 120_000;

  it('a customer admin invited from the Users page accepts, sees only their customer, and signs in again', async () => {
    step('vendor admin signs in');
    const vendor = await signInAsAdmin();
    expect(await navTestIds(vendor.page)).toEqual(['nav-fleet', 'nav-applications', 'nav-tracks', 'nav-rollouts', 'nav-customers', 'nav-users', 'nav-branding', 'nav-webhooks', 'nav-alerts', 'nav-notifications', 'nav-tokens', 'nav-audit']);
    step('users page');
    await vendor.page.getByTestId('nav-users').click();
    await vendor.page.waitForURL((url) => url.pathname === '/settings/users');
    await vendor.page.getByTestId(`member-${admin.userId}`).waitFor();

    step('invite through the page');
    const email = `carol-${randomSuffix()}@example.com`;
    const inviteUrl = await inviteThroughPage(vendor.page, email, 'admin', 'Customer X');
    const pending = (await api.get<{ items: Invite[] }>('/invites')).body.items.find((i) => i.email === email);
    expect(pending).toMatchObject({ role: 'admin', customerId: customerX.id });
    const pendingRow = vendor.page.getByTestId(`invite-${pending?.id}`);
    expect((await pendingRow.getByTestId('organisation').textContent())?.trim()).toBe('Customer X');

    step('invitee accepts');
    const carol = await acceptInvite('customer-user', inviteUrl, 'Carol Customer', '/customer');
    await carol.page.getByTestId(`installation-${customerX.installationId}`).waitFor();
    expect(await installationRows(carol.page)).toEqual([customerX.installationId]);
    expect(await carol.page.getByTestId(`installation-${customerY.installationId}`).count()).toBe(0);
    // Customer portal: no customer column, no fleet, no audit log; a customer admin manages their users.
    expect(await carol.page.getByTestId('installations-table').getByTestId('customer').count()).toBe(0);
    expect((await carol.page.getByTestId('customer-name').textContent())?.trim()).toBe('Customer X');
    expect(await navTestIds(carol.page)).toEqual(['nav-customer', 'nav-customer-releases', 'nav-users', 'nav-webhooks', 'nav-notifications', 'nav-tokens']);

    step('customer logs out and in');
    await logOut(carol.page);
    await submitLogin(carol.page, email, PASSWORD, '/customer');
    await carol.page.getByTestId(`installation-${customerX.installationId}`).waitFor();
    expect(await installationRows(carol.page)).toEqual([customerX.installationId]);
    // Vendor pages are out of reach even by URL.
    await carol.page.goto(`${base}/settings/audit`);
    await carol.page.waitForURL((url) => url.pathname === '/customer');

    // As a customer admin she manages her own customer's users: no customer choice, customer roles only.
    step('customer admin users page');
    await carol.page.getByTestId('nav-users').click();
    await carol.page.getByTestId('members-table').waitFor();
    expect(await carol.page.getByTestId('members-table').locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-customer-id')))).toEqual([customerX.id]);
    expect(await carol.page.getByTestId('members-table').getByTestId('organisation').count()).toBe(0);
    expect(await carol.page.getByLabel('Customer', { exact: true }).count()).toBe(0);
    expect(await carol.page.getByLabel('Role', { exact: true }).locator('option').evaluateAll((o) => o.map((x) => x.getAttribute('value')))).toEqual(['admin', 'viewer']);

    step('vendor admin sees the member');
    // The vendor admin sees the new member of Customer X and no pending invite any more.
    const member = (await api.get<{ items: Member[] }>('/users')).body.items.find((m) => m.email === email);
    expect(member).toMatchObject({ role: 'admin', customerId: customerX.id, name: 'Carol Customer' });
    await vendor.page.reload();
    const row = vendor.page.getByTestId(`member-${member?.userId}`);
    await row.waitFor();
    expect((await row.getByTestId('organisation').textContent())?.trim()).toBe('Customer X');
    expect(await row.getByTestId('role').getAttribute('data-role')).toBe('admin');
    expect(await vendor.page.getByTestId(`invite-${pending?.id}`).count()).toBe(0);

    step('audit log');
    // …and the acceptance in the audit log, filtered by area.
    await vendor.page.getByTestId('nav-audit').click();
    await vendor.page.getByTestId('audit-row').first().waitFor();
    await vendor.page.getByLabel('Action', { exact: true }).selectOption('invite');
    const actions = () => vendor.page.getByTestId('audit-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action') ?? ''));
    await expect.poll(actions, { timeout: UI_TIMEOUT }).toEqual(expect.arrayContaining(['invite.accept', 'invite.create']));
    expect((await actions()).every((a) => a.startsWith('invite.'))).toBe(true);
    const accepted = vendor.page.locator('[data-testid="audit-row"][data-action="invite.accept"]').filter({ hasText: email });
    expect((await accepted.getByTestId('actor').textContent())?.trim()).toBe(email);
    expect((await accepted.getByTestId('ip').textContent())?.trim()).toMatch(/\d/);
    const created = vendor.page.locator('[data-testid="audit-row"][data-action="invite.create"]').filter({ hasText: `email=${email}` });
    expect((await created.getByTestId('actor').textContent())?.trim()).toBe(admin.email);

    step('used invite');
    // A used invite link says so instead of signing anyone in.
    const late = await open('late-visitor');
    await late.page.goto(inviteUrl);
    await late.page.getByLabel('Your name').fill('Mallory');
    await late.page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await late.page.getByRole('button', { name: 'Accept invitation' }).click();
    await expect.poll(async () => (await late.page.getByTestId('form-error').textContent())?.trim(), { timeout: UI_TIMEOUT }).toMatch(/already been used/);
    expect(path(late.page)).toMatch(/^\/invite\//);

    step('done');
    for (const w of [vendor, carol, late]) expect(w.errors).toEqual([]);
  }, TEST_TIMEOUT);

  it('a vendor viewer invited from the Users page accepts, signs in again, and sees the fleet', async () => {
    step('vendor admin signs in');
    const vendor = await signInAsAdmin();
    await vendor.page.goto(`${base}/settings/users`);
    await vendor.page.getByTestId(`member-${admin.userId}`).waitFor();
    // The vendor team is the default; its roles are the vendor roles.
    expect((await vendor.page.getByLabel('Customer', { exact: true }).locator('option:checked').textContent())?.trim()).toBe('Vendor team');
    expect(await vendor.page.getByLabel('Role', { exact: true }).locator('option').evaluateAll((o) => o.map((x) => x.getAttribute('value')))).toEqual([
      'admin',
      'release-manager',
      'viewer',
    ]);

    step('invite through the page');
    const email = `victor-${randomSuffix()}@example.com`;
    const inviteUrl = await inviteThroughPage(vendor.page, email, 'viewer');
    expect((await api.get<{ items: Invite[] }>('/invites')).body.items.find((i) => i.email === email)).toMatchObject({ role: 'viewer', customerId: null });

    step('invitee accepts');
    const victor = await acceptInvite('vendor-viewer', inviteUrl, 'Victor Viewer', '/');
    const expectFleet = async () => {
      await victor.page.getByTestId(`installation-${customerY.installationId}`).waitFor();
      expect((await installationRows(victor.page)).sort()).toEqual([customerX.installationId, customerY.installationId].sort());
      expect((await victor.page.getByTestId('fleet-summary').textContent())?.trim()).toMatch(/^2 installations/);
    };
    await expectFleet();
    expect(await navTestIds(victor.page)).toEqual(['nav-fleet', 'nav-applications', 'nav-tracks', 'nav-rollouts', 'nav-customers', 'nav-alerts', 'nav-notifications', 'nav-tokens']);

    step('viewer logs out and in');
    await logOut(victor.page);
    await submitLogin(victor.page, email, PASSWORD, '/');
    await expectFleet();
    // Admin pages are out of reach for a viewer, even by URL.
    await victor.page.goto(`${base}/settings/users`);
    await victor.page.waitForURL((url) => url.pathname === '/');

    const member = (await api.get<{ items: Member[] }>('/users')).body.items.find((m) => m.email === email);
    expect(member).toMatchObject({ role: 'viewer', customerId: null, name: 'Victor Viewer' });
    step('done');
    for (const w of [vendor, victor]) expect(w.errors).toEqual([]);
  }, TEST_TIMEOUT);

  it('an API token created on the Tokens page is shown once, works, and stops working when revoked', async () => {
    step('vendor admin signs in');
    const vendor = await signInAsAdmin();
    await vendor.page.getByTestId('nav-tokens').click();
    await vendor.page.waitForURL((url) => url.pathname === '/settings/tokens');
    await vendor.page.getByLabel('Token name').fill('CI pipeline');
    await vendor.page.getByLabel('Role', { exact: true }).selectOption('viewer');
    await vendor.page.getByLabel('Expires in days').fill('30');
    step('create token');
    await vendor.page.getByRole('button', { name: 'Create token' }).click();
    const secret = vendor.page.getByTestId('new-token');
    await secret.waitFor();
    const token = (await secret.textContent())?.trim() ?? '';
    expect(token).toMatch(/^flt_/);
    expect(await vendor.page.getByTestId('new-token-warning').textContent()).toMatch(/shown only this once/);

    const listed = (await api.get<{ items: { id: string; name: string; role: string; expiresAt: string | null }[] }>('/tokens')).body.items.find((t) => t.name === 'CI pipeline');
    expect(listed).toMatchObject({ role: 'viewer' });
    expect(listed?.expiresAt).not.toBeNull();
    const row = vendor.page.getByTestId(`token-${listed?.id}`);
    expect((await row.getByTestId('prefix').textContent())?.trim()).toBe(`${token.slice(0, 8)}…`);

    const asToken = (p: string) => fetch(`${base}/api/v1${p}`, { headers: { authorization: `Bearer ${token}` } });
    expect((await asToken('/installations')).status).toBe(200);

    // Shown once: after a reload the list has the token, the page no longer has its secret.
    step('reload');
    await vendor.page.reload();
    await row.waitFor();
    expect(await vendor.page.getByTestId('new-token').count()).toBe(0);
    expect(await vendor.page.content()).not.toContain(token);

    step('revoke');
    await row.getByTestId('token-revoke').click();
    await row.getByTestId('token-revoke-confirm').click();
    await row.waitFor({ state: 'detached' });
    expect((await asToken('/installations')).status).toBe(401);
    step('done');
    expect(vendor.errors).toEqual([]);
  }, TEST_TIMEOUT);
});

describe('a page whose code does not download at once', () => {
  /** Fails the first `times` downloads of the assets matching `pattern`, as a network blip does. */
  async function failDownloads(page: Page, pattern: RegExp, times: number): Promise<string[]> {
    const failed: string[] = [];
    await page.route(pattern, async (route) => {
      if (failed.length < times) {
        failed.push(new URL(route.request().url()).pathname);
        await route.abort('internetdisconnected');
      } else await route.continue();
    });
    return failed;
  }

  it('signs in and lands on the fleet when its code and styles failed to download once (seen: ERR_NETWORK_CHANGED)', async () => {
    const { page, errors } = await open('blip');
    await page.goto(`${base}/login`);
    // Only what the fleet page needs fails: the login page has its code and styles.
    const failed = await failDownloads(page, /\/assets\/(FleetPage-[^/]*\.js|[^/]*\.css)$/, 2);
    await submitLogin(page, admin.email, admin.password, '/');
    expect(failed.length).toBeGreaterThan(0);
    await page.getByTestId('installations-table').waitFor();
    expect(await page.getByTestId('login-form').count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('reloads at the target when retries in the page do not help, and lands there', async () => {
    const { page } = await open('outage');
    await page.goto(`${base}/login`);
    let documents = 0;
    page.on('framenavigated', (f) => {
      if (f === page.mainFrame()) documents += 1;
    });
    const failed = await failDownloads(page, /\/assets\/FleetPage-[^/]*\.js$/, 3);
    await submitLogin(page, admin.email, admin.password, '/');
    await page.getByTestId('installations-table').waitFor();
    expect(failed).toHaveLength(3);
    // The sign-in's navigation, then the reload at "/" (a failed module stays failed for its document).
    expect(documents).toBeGreaterThanOrEqual(2);
  });

  it('says so, with a link to try again, when the page still does not download after the reload', async () => {
    const { page } = await open('offline');
    await page.goto(`${base}/login`);
    const failed = await failDownloads(page, /\/assets\/FleetPage-[^/]*\.js$/, 1000);
    await page.getByLabel('Email', { exact: true }).fill(admin.email);
    await page.getByLabel('Password', { exact: true }).fill(admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const notice = page.getByRole('alert').filter({ hasText: 'The page could not be downloaded' });
    await notice.waitFor();
    await shot(page, 'page-download-failure');
    expect(await notice.getByRole('link', { name: 'try again' }).getAttribute('href')).toBe('/');
    // Two retries, the reload, and its two retries (a download may be asked for twice: preload and
    // import); then it stops, no reload loop.
    const settled = failed.length;
    expect(settled).toBeGreaterThanOrEqual(6);
    expect(settled).toBeLessThanOrEqual(12);
    await page.waitForTimeout(1500);
    expect(failed.length).toBe(settled);
  });
});

/// <reference lib="dom" />
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator } from 'playwright-core';
import type { AgentCredentials } from '@flotilla/protocol';
import { ApiClient, COMPOSE_V1 } from './api-client.js';
import { connectAgent, host, nextCommand, type AgentSocket } from './sim-agent.js';
import { randomSuffix } from './helpers.js';
import { shot, signInWithForm, UI_TIMEOUT, type WatchedPage, useBrowserSuite } from './browser-helpers.js';

/**
 * The portal's create, edit and delete forms in a real Chromium on a real hub: a vendor signs up in
 * the page and creates everything through the forms; every form's validation errors are shown in
 * plain words (field by field, and a compose error on its line).
 */

const suite = useBrowserSuite();
const { open, step } = suite;

let base: string;

beforeAll(async () => {
  base = suite.base;
});

const sockets: AgentSocket[] = [];

afterAll(async () => {
  for (const socket of sockets) socket.close();
});

const text = async (locator: Locator) => (await locator.textContent())?.trim();
const poll = <T>(fn: () => Promise<T>) => expect.poll(fn, { timeout: UI_TIMEOUT });

describe('the portal forms in a real browser', () => {
  let vendor: WatchedPage;

  it('signs up in the page, after the hub refused a short password in plain words', async () => {
    vendor = await open('vendor');
    const { page } = vendor;
    step('sign up with a password the hub refuses');
    await page.goto(`${base}/signup`);
    await page.getByLabel('Your name').fill('Vera Vendor');
    await page.getByLabel('Email').fill(`vera-${randomSuffix()}@example.com`);
    await page.getByLabel('Password').fill('short');
    await page.getByLabel('Company name').fill('Acme');
    await page.getByRole('button', { name: 'Create account' }).click();
    await poll(() => text(page.getByTestId('form-error'))).toBe('Password: at least 10 characters');
    expect(await text(page.getByTestId('field-error-password'))).toBe('at least 10 characters');
    expect(await page.getByLabel('Password').getAttribute('aria-invalid')).toBe('true');
    await shot(page, 'forms-signup-error');

    step('a common password is refused in plain words');
    await page.getByLabel('Password').fill('1234567890');
    await page.getByRole('button', { name: 'Create account' }).click();
    await poll(() => text(page.getByTestId('field-error-password'))).toBe('too common: attackers try it first; a few unrelated words make a strong password');
    expect(await text(page.getByTestId('form-error'))).toMatch(/^Password: too common/);

    step('a good password signs up');
    await page.getByLabel('Password').fill('a-long-enough-password');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    expect(vendor.errors).toEqual([]);
  });

  it('creates an application and its versions, shows a compose error, compares, archives, restores and deletes versions', async () => {
    const { page } = vendor;
    step('New application: a missing name is said in plain words');
    await page.getByTestId('nav-applications').click();
    await page.getByRole('button', { name: 'New application' }).click();
    await page.getByRole('button', { name: 'Create application' }).click();
    expect(await text(page.getByTestId('application-error'))).toBe('Name: required');
    await page.getByLabel('Name').fill('web');
    await page.getByLabel('Kind').selectOption('compose');
    await page.getByLabel('Description').fill('The web front end');
    await page.getByRole('button', { name: 'Create application' }).click();
    await page.waitForURL((url) => /^\/applications\/[0-9a-f-]{36}$/.test(url.pathname));
    expect(await text(page.getByTestId('application-name'))).toBe('web');
    await page.getByTestId('versions-empty').waitFor();

    step('New version: missing fields, then a compose file the hub refuses');
    await page.getByRole('button', { name: 'New version' }).click();
    await page.getByRole('button', { name: 'Create version' }).click();
    expect(await text(page.getByTestId('version-error'))).toBe('Version: required; Compose file: required');
    await page.getByLabel('Version').fill('1.0.0');
    await page.getByLabel('Compose file').fill('services:\n  web:\n    network_mode: host\n');
    await page.getByRole('button', { name: 'Create version' }).click();
    await page.getByLabel('Env defaults').fill('GREETING=hello\nnot an env line\n');
    await page.getByRole('button', { name: 'Create version' }).click();
    await poll(() => text(page.getByTestId('version-error'))).toMatch(/^Compose file, line 2: service "web" has no image; Env defaults, line 2: /);
    expect(await text(page.getByTestId('editor-issue-2'))).toBe('Line 2, column 3: service "web" has no image');
    expect(await page.locator('.cm-line[data-issue-line="2"]').getAttribute('title')).toBe('service "web" has no image');
    expect(await text(page.getByTestId('field-error-env'))).toMatch(/^Line 2: /);
    await shot(page, 'forms-version-compose-error');

    step('a good compose file creates 1.0.0');
    await page.getByLabel('Compose file').fill(COMPOSE_V1);
    await page.getByLabel('Env defaults').fill('GREETING=hello\n');
    await page.getByRole('button', { name: 'Create version' }).click();
    const v1 = page.locator('[data-version="1.0.0"]');
    await v1.waitFor();
    expect(await text(v1.getByTestId('state'))).toBe('active');

    step('2.0.0 starts from 1.0.0: change the image tag');
    await page.getByRole('button', { name: 'New version' }).click();
    await poll(() => text(page.getByLabel('Compose file'))).toContain('flotilla-test/web:v1');
    await page.getByLabel('Version').fill('2.0.0');
    await page.getByLabel('Compose file').fill(COMPOSE_V1.replace(':v1', ':v2'));
    await page.getByRole('button', { name: 'Create version' }).click();
    const v2 = page.locator('[data-version="2.0.0"]');
    await v2.waitFor();

    step('compare 1.0.0 with 2.0.0 side by side');
    await page.getByLabel('Compare').selectOption({ label: '1.0.0' });
    await page.getByLabel('With').selectOption({ label: '2.0.0' });
    await page.getByTestId('compare-toggle').click();
    const diff = page.getByTestId('version-diff');
    await diff.locator('.cm-mergeView').waitFor();
    expect(await text(diff.getByTestId('diff-left'))).toBe('1.0.0');
    expect(await diff.locator('.cm-changedLine').count()).toBeGreaterThan(0);
    await poll(() => text(diff.getByLabel('2.0.0'))).toContain('flotilla-test/web:v2');
    await shot(page, 'forms-application-versions');

    step('archive 1.0.0, restore it, delete 2.0.0 (never used)');
    await v1.getByRole('button', { name: 'Archive' }).click();
    await poll(() => v1.getAttribute('data-archived')).toBe('true');
    expect(await text(v1.getByTestId('state'))).toBe('archived');
    await v1.getByRole('button', { name: 'Restore' }).click();
    await poll(() => v1.getAttribute('data-archived')).toBe('false');
    await v2.getByRole('button', { name: 'Delete' }).click();
    await v2.getByTestId('version-delete-confirm').click();
    await poll(() => v2.count()).toBe(0);
    expect(vendor.errors).toEqual([]);
  });

  it('ticks the first-run checklist, creates a customer and installations with a track, edits the track, removes one without uninstalling', async () => {
    const { page } = vendor;
    step('the empty fleet shows the checklist: application and version done, customer next');
    await page.getByTestId('nav-fleet').click();
    const checklist = page.getByTestId('first-run');
    await poll(() => checklist.getByTestId('first-run-version').getAttribute('data-done')).toBe('true');
    expect(await checklist.getByTestId('first-run-application').getAttribute('data-done')).toBe('true');
    expect(await checklist.getByTestId('first-run-customer').getAttribute('data-done')).toBe('false');
    await shot(page, 'forms-first-run');

    step('a track of web, for the installation to follow');
    await page.getByTestId('nav-tracks').click();
    await page.getByLabel('Track name').fill('Acme Platform');
    await page.getByLabel('web').check();
    await page.getByRole('button', { name: 'Create track' }).click();
    await page.waitForURL((url) => url.pathname.startsWith('/tracks/'));

    step('New customer: a missing name, then Globex (from the checklist)');
    await page.getByTestId('nav-fleet').click();
    await checklist.getByRole('link', { name: 'Create a customer' }).click();
    await page.waitForURL((url) => url.pathname === '/customers');
    await page.getByRole('button', { name: 'New customer' }).click();
    await page.getByRole('button', { name: 'Create customer' }).click();
    expect(await text(page.getByTestId('customer-error'))).toBe('Name: required');
    await page.getByLabel('Name').fill('Globex');
    await page.getByRole('button', { name: 'Create customer' }).click();
    await page.waitForURL((url) => url.pathname.startsWith('/customers/'));
    expect(await text(page.getByTestId('customer-title'))).toBe('Globex');

    step('New installation from the customer page: a missing name, then with a track');
    await page.getByRole('link', { name: 'New installation' }).click();
    await page.waitForURL((url) => url.pathname === '/installations/new');
    await poll(() => page.getByLabel('Customer').evaluate((el) => (el as HTMLSelectElement).selectedOptions[0]?.textContent?.trim())).toBe('Globex');
    await page.getByLabel('Environment').fill('');
    await page.getByRole('button', { name: 'Create installation' }).click();
    expect(await text(page.getByTestId('installation-error'))).toBe('Name: required; Environment: required');
    await page.getByLabel('Name').fill('globex-prod');
    await page.getByLabel('Environment').fill('production');
    await page.getByLabel('Agent kind').selectOption('compose');
    await page.getByLabel('Track').selectOption({ label: 'Acme Platform' });
    await page.getByRole('button', { name: 'Create installation' }).click();
    await page.waitForURL((url) => url.pathname.startsWith('/installations/'));
    await poll(() => text(page.getByTestId('installation-title'))).toBe('globex-prod');
    const settings = page.getByTestId('installation-settings');
    await poll(() => settings.getByLabel('Track').evaluate((el) => (el as HTMLSelectElement).selectedOptions[0]?.textContent?.trim())).toBe('Acme Platform');

    step('take it off the track, reload: saved; put it back');
    await settings.getByLabel('Track').selectOption('');
    await settings.getByLabel('Environment').fill('staging');
    await settings.getByRole('button', { name: 'Save settings' }).click();
    await settings.getByTestId('installation-settings-saved').waitFor();
    await page.reload();
    await poll(() => settings.getByLabel('Environment').inputValue()).toBe('staging');
    expect(await settings.getByLabel('Track').inputValue()).toBe('');
    await settings.getByLabel('Track').selectOption({ label: 'Acme Platform' });
    await settings.getByRole('button', { name: 'Save settings' }).click();
    await settings.getByTestId('installation-settings-saved').waitFor();
    await shot(page, 'forms-installation-settings');

    step('the fleet keeps the checklist until a deploy: the installation done, its agent next');
    await page.getByTestId('nav-fleet').click();
    const card = page.getByTestId('first-run-card');
    await poll(() => card.getByTestId('first-run-installation').getAttribute('data-done')).toBe('true');
    await poll(() => card.getByTestId('first-run-customer').getAttribute('data-done')).toBe('true');
    expect(await card.getByTestId('first-run-agent').getAttribute('data-done')).toBe('false');

    step('a second installation from the fleet page, then removed without uninstalling');
    await page.getByRole('link', { name: 'New installation' }).click();
    await page.waitForURL((url) => url.pathname === '/installations/new');
    await page.getByLabel('Customer').selectOption({ label: 'Globex' });
    await page.getByLabel('Name').fill('globex-qa');
    await page.getByLabel('Environment').fill('QA');
    await page.getByRole('button', { name: 'Create installation' }).click();
    await page.waitForURL((url) => url.pathname.startsWith('/installations/'));
    await poll(() => text(page.getByTestId('installation-title'))).toBe('globex-qa');
    await settings.getByRole('button', { name: 'Delete' }).click();
    await shot(page, 'forms-installation-delete');
    await settings.getByRole('button', { name: 'Remove without uninstalling' }).click();
    await page.getByTestId('installation-gone').waitFor();
    await page.getByTestId('installation-gone').getByRole('link', { name: 'Back to the fleet' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    await poll(() => text(page.getByTestId('fleet-summary'))).toMatch(/^1 installation /);

    step('Globex cannot go while it has an installation; a customer without one can, saying what goes with it');
    await page.getByTestId('nav-customers').click();
    await page.getByRole('link', { name: 'Globex' }).click();
    await poll(() => text(page.getByTestId('customer-delete-blocked'))).toBe('Globex still has 1 installation (globex-prod): delete them first.');
    expect(await page.getByTestId('customer-delete').isDisabled()).toBe(true);
    await page.getByTestId('nav-customers').click();
    await page.getByRole('button', { name: 'New customer' }).click();
    await page.getByLabel('Name').fill('Initech');
    await page.getByRole('button', { name: 'Create customer' }).click();
    await page.waitForURL((url) => url.pathname.startsWith('/customers/'));
    await page.getByRole('button', { name: 'Rename' }).click();
    await page.getByLabel('Name').fill('Initech Ltd');
    await page.getByRole('button', { name: 'Save name' }).click();
    await poll(() => text(page.getByTestId('customer-title'))).toBe('Initech Ltd');
    await page.getByRole('button', { name: 'Delete' }).click();
    expect(await text(page.locator('.confirm__question'))).toBe(
      "Delete Initech Ltd? Its 0 entitlements, its users' memberships (their accounts stay), its pending invites and its API tokens go with it.",
    );
    await page.getByTestId('customer-delete-confirm').click();
    await page.waitForURL((url) => url.pathname === '/customers');
    await poll(() => page.getByRole('link', { name: 'Initech Ltd' }).count()).toBe(0);
    expect(vendor.errors).toEqual([]);
  });

  it('creates a helm application and version (errors on their field and line, the password never shown back), and deletes an unused application', async () => {
    const { page } = vendor;
    step('a helm application');
    await page.getByTestId('nav-applications').click();
    await page.getByRole('button', { name: 'New application' }).click();
    await page.getByLabel('Name').fill('charts');
    await page.getByLabel('Kind').selectOption('helm');
    await page.getByRole('button', { name: 'Create application' }).click();
    await page.waitForURL((url) => /^\/applications\/[0-9a-f-]{36}$/.test(url.pathname));
    await page.getByRole('button', { name: 'New version' }).click();

    step('missing fields are named before sending');
    await page.getByRole('button', { name: 'Create version' }).click();
    expect(await text(page.getByTestId('version-error'))).toBe('Version: required; Chart: required; Repository: required; Chart version: required');

    step('the hub refuses a bad chart version and values that are not YAML, at their field and line');
    await page.getByLabel('Version', { exact: true }).fill('1.0.0');
    await page.getByLabel('Chart', { exact: true }).fill('web');
    await page.getByLabel('OCI reference', { exact: true }).check();
    await page.getByLabel('OCI reference URL').fill('oci://registry.example.com/charts/web');
    await page.getByLabel('Chart version').fill('latest');
    await page.getByLabel('Values').fill('replicas: 2\nimage: [unclosed\n');
    await page.getByLabel('Registry username').fill('robot');
    await page.getByLabel('Registry password').fill('s3cret-registry-password');
    await page.getByRole('button', { name: 'Create version' }).click();
    await poll(() => text(page.getByTestId('version-error'))).toMatch(/^Chart version: chartVersion "latest" is not a semantic version; Values, line \d+: /);
    await page.getByTestId('values-editor').locator('.yaml-editor__issue-line').first().waitFor();
    await shot(page, 'forms-helm-version-error');

    step('fixed, it is created; a new version starts from it without the password');
    await page.getByLabel('Chart version').fill('1.2.3');
    await page.getByLabel('Values').fill('replicas: 2\n');
    await page.getByRole('button', { name: 'Create version' }).click();
    await page.locator('[data-version="1.0.0"]').waitFor();
    await page.getByRole('button', { name: 'New version' }).click();
    expect(await page.getByLabel('Registry username').inputValue()).toBe('robot');
    expect(await page.getByLabel('Registry password').inputValue()).toBe('');
    expect(await page.content()).not.toContain('s3cret-registry-password');
    await page.getByRole('button', { name: 'Cancel' }).click();

    step('the application was never deployed: Delete removes it');
    await page.getByTestId('application-delete').click();
    await page.getByTestId('application-delete-confirm').click();
    await page.waitForURL((url) => url.pathname === '/applications');
    await poll(() => page.getByRole('link', { name: 'charts' }).count()).toBe(0);
    expect(vendor.errors).toEqual([]);
  });

  it('the release editor hides archived versions, except the one a release pins', async () => {
    const { page } = vendor;
    step('web gets 3.0.0');
    await page.getByTestId('nav-applications').click();
    await page.getByRole('link', { name: 'web', exact: true }).click();
    await page.getByRole('button', { name: 'New version' }).click();
    await page.getByLabel('Version', { exact: true }).fill('3.0.0');
    await page.getByLabel('Compose file').fill(COMPOSE_V1.replace(':v1', ':v3'));
    await page.getByRole('button', { name: 'Create version' }).click();
    await page.locator('[data-version="3.0.0"]').waitFor();
    const appUrl = page.url();

    step('a draft release pins web 1.0.0');
    await page.getByTestId('nav-tracks').click();
    await page.getByRole('link', { name: 'Acme Platform' }).click();
    await page.getByTestId('release-form').getByLabel('Version', { exact: true }).fill('1.0.0');
    await page.getByRole('button', { name: 'Create release' }).click();
    await page.waitForURL((url) => url.pathname.startsWith('/releases/'));
    const releaseUrl = page.url();
    await page.getByRole('button', { name: 'Add stage' }).click();
    await page.getByLabel('Add component to stage 1', { exact: true }).selectOption({ label: 'web' });
    await page.getByRole('button', { name: 'Add to stage 1' }).click();
    await page.getByLabel('Version of web', { exact: true }).selectOption({ label: '1.0.0' });
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await poll(() => page.getByTestId('release-save-state').getAttribute('data-dirty')).toBe('false');

    step('archive both versions: 1.0.0 is pinned (in use: no Delete), 3.0.0 is not');
    await page.goto(appUrl);
    for (const version of ['1.0.0', '3.0.0']) {
      const row = page.locator(`[data-version="${version}"]`);
      await row.getByRole('button', { name: 'Archive' }).click();
      await poll(() => row.getAttribute('data-archived')).toBe('true');
    }
    expect(await page.locator('[data-version="1.0.0"]').getByRole('button', { name: 'Delete' }).count()).toBe(0);

    step('the editor offers the pinned archived 1.0.0, marked, and not the archived 3.0.0');
    await page.goto(releaseUrl);
    const select = page.getByLabel('Version of web', { exact: true });
    await poll(() => select.locator('option').allTextContents().then((all) => all.map((o) => o.trim()))).toEqual(['— pick a version —', '1.0.0 (archived)']);
    expect(vendor.errors).toEqual([]);
  });

  it('uninstalls through the agent: the page shows "uninstalling" live, then that the installation is gone', async () => {
    step('another vendor with a deployed installation and its (simulated) agent, set up through the API');
    const api = new ApiClient(base);
    const admin = await api.signup(randomSuffix());
    const id = async (res: Promise<{ status: number; body: { id: string } }>) => {
      const { status, body } = await res;
      expect(status, JSON.stringify(body)).toBe(201);
      return body.id;
    };
    const app = await id(api.post('/applications', { name: 'web', kind: 'compose' }));
    const versionId = await id(api.post(`/applications/${app}/versions`, { version: '1.0.0', compose: { file: COMPOSE_V1 } }));
    const customer = await id(api.post('/customers', { name: 'Umbrella' }));
    const installation = await id(api.post('/installations', { customerId: customer, name: 'umbrella-prod', environment: 'production', agentKind: 'compose' }));
    expect((await api.post(`/installations/${installation}/deploy`, { versionId })).status).toBe(202);
    const creds = (await api.post<AgentCredentials>(`/installations/${installation}/agent-credentials`)).body;
    const socket = await connectAgent(base, creds.agentId, creds.secret);
    sockets.push(socket);
    await socket.emitWithAck('agent:hello', { host, appliedRevision: 1, components: [] });

    const { page } = await signInWithForm(await open('uninstaller'), base, admin.email, admin.password, '/');
    // Something was deployed: the fleet shows no first-run checklist.
    await page.getByTestId('installations-table').waitFor();
    expect(await page.getByTestId('first-run-card').count()).toBe(0);
    step('a deployed application cannot be deleted: the hub says why');
    await page.goto(`${base}/applications/${app}`);
    await page.getByTestId('application-delete').click();
    await page.getByTestId('application-delete-confirm').click();
    await poll(() => text(page.getByTestId('application-delete-error'))).toBe('The application is deployed to installations; deploy something else to them first');
    expect(await page.locator('[data-version="1.0.0"]').getByRole('button', { name: 'Delete' }).count()).toBe(0);

    step('Delete → Uninstall in the page');
    await page.goto(`${base}/installations/${installation}`);
    const settings = page.getByTestId('installation-settings');
    const received = nextCommand(socket);
    await settings.getByRole('button', { name: 'Delete' }).click();
    await settings.getByRole('button', { name: 'Uninstall', exact: true }).click();
    const command = await received;
    expect(command.type).toBe('uninstall');
    await settings.getByTestId('installation-uninstalling').waitFor();
    await shot(page, 'forms-installation-uninstalling');

    step('the agent reports it done: the page says the installation is gone, live');
    expect(await socket.emitWithAck('command:progress', { id: command.id, status: 'succeeded', message: 'uninstalled: removed web' })).toEqual({ ok: true });
    await poll(() => text(page.getByTestId('installation-gone'))).toBe('This installation was deleted. Back to the fleet');
  });
});

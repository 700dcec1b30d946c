/// <reference lib="dom" />
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import type { AgentCredentials, CreatedInvite, Release, Rollout } from '@flotilla/protocol';
import { ApiClient, created } from './api-client.js';
import { randomSuffix } from './helpers.js';
import { UI_TIMEOUT, type WatchedPage, signInWithForm, shot, useBrowserSuite } from './browser-helpers.js';
import { simAgent, type SimAgent } from './sim-fleet.js';

/**
 * Rollouts in the real portal (portal/dist) on a real hub, driven by a real Chromium, with six
 * simulated agents that take ~400 ms per stage: a vendor admin starts a rollout in the wizard and
 * watches the waves × targets grid advance live (no reload, no polling); then pauses and resumes one;
 * then a rollout that needs customer approval, approved by the customer admin in the customer portal.
 */
const suite = useBrowserSuite();
const { open, step } = suite;

const AGENT_DELAY_MS = 400;
const INSTALLATIONS = 6;
const ROLLOUT_TIMEOUT = 30_000;

const agents: SimAgent[] = [];
let base: string;
let api: ApiClient;
let admin: { email: string; password: string };
const ids = { track: '', customer: '', release200: '', release210: '', release220: '' };
const PASSWORD = 'correct horse battery staple';
let customerAdmin: { email: string };
const apps: Record<string, string> = {};
const versions: Record<string, string> = {};
/** Installation ids in creation order (the hub's target order), and their names. */
const installations: { id: string; name: string }[] = [];

const compose = (name: string, version: string) => `services:\n  ${name}:\n    image: sim/${name}:${version}\n`;

beforeAll(async () => {
  base = suite.base;

  api = new ApiClient(base);
  admin = await api.signup(randomSuffix());
  // Two applications in two stages (db before api), each at 2.0.0 and 2.1.0: ready releases.
  for (const name of ['db', 'api']) {
    apps[name] = await created(api.post('/applications', { name, kind: 'compose' }));
    for (const v of ['2.0.0', '2.1.0']) versions[`${name}@${v}`] = await created(api.post(`/applications/${apps[name]}/versions`, { version: v, compose: { file: compose(name, v) } }));
  }
  ids.track = await created(api.post('/tracks', { name: 'Platform', applicationIds: [apps.db, apps.api] }));
  // 2.2.0 pins the same application versions as 2.1.0: a new release, nothing new to pull.
  for (const [v, pinned] of [['2.0.0', '2.0.0'], ['2.1.0', '2.1.0'], ['2.2.0', '2.1.0']] as const) {
    const stages = ['db', 'api'].map((name) => [{ applicationId: apps[name], versionId: versions[`${name}@${pinned}`] }]);
    const id = await created(api.post<Release>(`/tracks/${ids.track}/releases`, { version: v, stages }));
    expect((await api.post(`/releases/${id}/lock`)).status).toBe(200);
    if (v === '2.0.0') ids.release200 = id;
    else if (v === '2.1.0') ids.release210 = id;
    else ids.release220 = id;
  }
  ids.customer = await created(api.post('/customers', { name: 'Fleet Co' }));
  await created(api.post('/entitlements', { customerId: ids.customer, trackId: ids.track }));
  for (let i = 1; i <= INSTALLATIONS; i++) {
    const name = `edge-${i}`;
    const id = await created(api.post('/installations', { customerId: ids.customer, name, environment: 'production', agentKind: 'compose', trackId: ids.track }));
    const creds = await api.post<AgentCredentials>(`/installations/${id}/agent-credentials`);
    expect(creds.status).toBe(201);
    agents.push(await simAgent(base, id, creds.body.agentId, creds.body.secret, AGENT_DELAY_MS));
    installations.push({ id, name });
  }
  // The customer admin: invited and accepted through the API (the identity browser test covers the pages).
  customerAdmin = { email: `carol-${randomSuffix()}@example.com` };
  const invite = await api.post<CreatedInvite>('/invites', { email: customerAdmin.email, role: 'admin', customerId: ids.customer });
  expect(invite.status).toBe(201);
  const token = new URL(invite.body.inviteUrl).pathname.split('/').pop() ?? '';
  expect((await new ApiClient(base).post(`/invites/${token}/accept`, { name: 'Carol Customer', password: PASSWORD })).status).toBe(200);
});

afterAll(async () => {
  for (const agent of agents) agent.socket.disconnect();
});

async function signIn(name: string, email: string, password: string, landing: string): Promise<WatchedPage> {
  return signInWithForm(await open(name), base, email, password, landing);
}

let vendorSession: WatchedPage | undefined;
/** The vendor admin's page, signed in once and shared by the tests (a sign-in costs seconds of scrypt). */
async function vendorAdmin(): Promise<WatchedPage> {
  vendorSession ??= await signIn('vendor-admin', admin.email, admin.password, '/');
  return vendorSession;
}

const text = async (locator: Locator) => (await locator.textContent())?.trim();
const button = (page: Page, name: string) => page.getByRole('button', { name, exact: true });

interface Seen {
  status: string;
  stage: string;
  text: string;
  /** Whether wave 0's section showed finished = total at that moment. */
  wave0Done: boolean;
  at: number;
}

/**
 * Records, in the page, every state each target cell shows (status and stage text), from a
 * MutationObserver: what the user saw, in order, without the test polling fast enough to catch it.
 * Also leaves a marker on `window`, gone if the page ever reloads.
 */
async function recordCells(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __noReload: string; __seen: Record<string, Seen[]> };
    w.__noReload = 'still here';
    w.__seen = {};
    const scan = () => {
      const wave0 = document.querySelector('[data-testid="wave-0"]');
      const wave0Done = wave0 !== null && wave0.getAttribute('data-finished') === wave0.getAttribute('data-total');
      for (const cell of document.querySelectorAll('li[data-testid^="target-"][data-status]')) {
        const id = (cell.getAttribute('data-testid') ?? '').slice('target-'.length);
        const status = cell.getAttribute('data-status') ?? '';
        const stage = cell.querySelector('[data-testid="target-stage"]')?.textContent?.trim() ?? '';
        const list = (w.__seen[id] ??= []);
        const last = list.at(-1);
        if (!last || last.status !== status || last.stage !== stage) list.push({ status, stage, text: cell.textContent?.replace(/\s+/g, ' ').trim() ?? '', wave0Done, at: performance.now() });
      }
    };
    new MutationObserver(scan).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  });
}

const seenCells = (page: Page) => page.evaluate(() => (window as unknown as { __seen: Record<string, Seen[]> }).__seen);
const marker = (page: Page) => page.evaluate(() => (window as unknown as { __noReload?: string }).__noReload);
const cellStatuses = (page: Page) =>
  page.locator('li[data-testid^="target-"][data-status]').evaluateAll((cells) => cells.map((c) => `${c.getAttribute('data-testid')}=${c.getAttribute('data-status')}@${c.getAttribute('data-stage')}`));
/** GET /api/v1/rollouts/:id responses the page received (the view must not poll). */
const rolloutGets = (name: string, rolloutId: string) => suite.log.filter((l) => l.startsWith(`[${name}]`) && l.includes(`GET ${base}/api/v1/rollouts/${rolloutId} `)).length;

describe('rollouts in a real browser', () => {
  it('a vendor admin starts a rollout in the wizard and watches the waves × targets grid advance live to completed', async () => {
    step('vendor admin signs in, opens Rollouts');
    const vendor = await vendorAdmin();
    const page = vendor.page;
    await page.getByTestId('nav-rollouts').click();
    await page.getByTestId('rollouts-empty').waitFor();

    step('wizard step 1: the release');
    await page.getByTestId('new-rollout').click();
    await page.waitForURL((url) => url.pathname === '/rollouts/new');
    expect(await page.getByTestId('wizard-step-1').getAttribute('aria-current')).toBe('step');
    expect(await button(page, 'Next').isDisabled()).toBe(true);
    await page.getByLabel('Release', { exact: true }).selectOption({ label: 'Platform 2.0.0' });
    await button(page, 'Next').click();

    step('wizard step 2: the targets');
    expect(await page.getByTestId('wizard-step-2').getAttribute('aria-current')).toBe('step');
    expect(await page.getByLabel('All installations on the track', { exact: true }).isChecked()).toBe(true);
    // Picking installations one by one offers every installation on the track, by name.
    await page.getByLabel('Installations', { exact: true }).check();
    expect(await page.getByTestId('wizard-installations').locator('label').allTextContents()).toEqual(installations.map((i) => i.name));
    expect(await button(page, 'Next').isDisabled()).toBe(true);
    await page.getByLabel('All installations on the track', { exact: true }).check();
    expect(await page.getByTestId('wizard-target-count').getAttribute('data-count')).toBe(String(INSTALLATIONS));
    await button(page, 'Next').click();

    step('wizard step 3: the strategy, defaults shown');
    expect(await page.getByLabel('Max parallel', { exact: true }).inputValue()).toBe('10');
    // Durations in minutes or hours (the hub's 600 s health timeout, 1 h offline timeout).
    expect(await page.getByLabel('Health timeout', { exact: true }).inputValue()).toBe('10');
    expect(await page.getByLabel('Health timeout unit', { exact: true }).inputValue()).toBe('minutes');
    expect(await page.getByLabel('Offline timeout', { exact: true }).inputValue()).toBe('1');
    expect(await page.getByLabel('Offline timeout unit', { exact: true }).inputValue()).toBe('hours');
    expect(await page.getByLabel('On failure', { exact: true }).inputValue()).toBe('pause');
    expect(await page.getByLabel('Respect maintenance windows', { exact: true }).isChecked()).toBe(true);
    expect(await page.getByLabel('Require customer approval', { exact: true }).isChecked()).toBe(false);
    await button(page, 'Canary then all').click();
    expect(await page.getByTestId('wave-size-0').textContent()).toContain('1 of 6');
    expect(await page.getByTestId('wave-size-1').textContent()).toContain('5 of 6');
    // A value the hub would refuse is caught in the form.
    await page.getByLabel('Max parallel', { exact: true }).fill('0');
    await page.getByTestId('wizard-strategy-problem').waitFor();
    expect(await button(page, 'Next').isDisabled()).toBe(true);
    await page.getByLabel('Max parallel', { exact: true }).fill('2');
    await page.getByLabel('Respect maintenance windows', { exact: true }).uncheck();
    await page.getByLabel('Soak', { exact: true }).fill('0.05');
    await page.getByLabel('Soak unit', { exact: true }).selectOption('minutes');
    await shot(page, 'wizard-strategy');
    await button(page, 'Next').click();

    step('wizard step 4: the review');
    expect(await page.getByTestId('wizard-step-4').getAttribute('aria-current')).toBe('step');
    expect(await text(page.getByTestId('wizard-review-summary'))).toContain('soak 3 s');

    step('start: the view opens and follows the rollout live');
    await recordCells(page);
    await button(page, 'Start rollout').click();
    await page.waitForURL((url) => /^\/rollouts\/[0-9a-f-]{36}$/.test(url.pathname));
    const rolloutId = new URL(page.url()).pathname.split('/').pop() ?? '';
    await page.getByTestId('wave-1').waitFor();
    expect(await text(page.getByTestId('rollout-version'))).toBe('2.0.0');
    expect(await page.getByTestId('wave-0').locator('li[data-testid^="target-"]').count()).toBe(1);
    expect(await page.getByTestId('wave-1').locator('li[data-testid^="target-"]').count()).toBe(5);
    await expect.poll(() => page.locator('li[data-testid^="target-"][data-status="deploying"]').count(), { timeout: UI_TIMEOUT }).toBeGreaterThan(0);
    await shot(page, 'rollout-running');
    await expect.poll(() => text(page.getByTestId('rollout-status')), { timeout: ROLLOUT_TIMEOUT }).toBe('completed');
    await shot(page, 'rollout-completed');

    step('what the page showed along the way');
    expect(await marker(page)).toBe('still here');
    expect(await cellStatuses(page)).toEqual(installations.map((i) => `target-${i.id}=succeeded@2`));
    expect(await text(page.getByTestId('wave-0').getByTestId('wave-progress'))).toBe('1/1');
    expect(await text(page.getByTestId('wave-1').getByTestId('wave-progress'))).toBe('5/5');
    expect(await page.getByTestId('rollout-progress').getAttribute('data-finished')).toBe(String(INSTALLATIONS));
    // Finished: no controls left.
    expect(await page.getByTestId('rollout-controls').count()).toBe(0);
    const seen = await seenCells(page);
    const canary = (await api.get<Rollout>(`/rollouts/${rolloutId}`)).body.targets.find((t) => t.wave === 0)?.installationId ?? '';
    for (const { id, name } of installations) {
      const states = seen[id] ?? [];
      const statuses = states.map((s) => s.status);
      // Every cell went through deploying (stage k/2 shown) to succeeded, named after its installation.
      expect(statuses, `${name}: ${JSON.stringify(states)}`).toContain('deploying');
      expect(statuses.at(-1), name).toBe('succeeded');
      expect(statuses.indexOf('deploying')).toBeLessThan(statuses.lastIndexOf('succeeded'));
      expect(states.some((s) => s.status === 'deploying' && /^stage [12]\/2$/.test(s.stage)), name).toBe(true);
      expect(states.at(-1)?.text).toContain(name);
      expect(states.at(-1)?.stage).toBe('stage 2/2');
      // Wave order: no wave-1 cell moved before the wave-0 section showed itself complete.
      if (id !== canary) {
        const firstMove = states.find((s) => s.status !== 'pending');
        expect(firstMove?.wave0Done, `${name} moved before wave 0 completed: ${JSON.stringify(states)}`).toBe(true);
      }
    }
    // Never more than maxParallel (2) cells deploying at once, as shown.
    const events = Object.entries(seen).flatMap(([id, list]) => list.map((s) => ({ id, ...s }))).sort((a, b) => a.at - b.at);
    const current = new Map<string, string>();
    let most = 0;
    for (const e of events) {
      current.set(e.id, e.status);
      most = Math.max(most, [...current.values()].filter((s) => s === 'deploying').length);
    }
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(2);
    // Live, not polled: the view fetched the rollout at most twice (once, plus one catch-up).
    expect(rolloutGets('vendor-admin', rolloutId)).toBeLessThanOrEqual(2);

    const hubView = (await api.get<Rollout>(`/rollouts/${rolloutId}`)).body;
    expect(hubView).toMatchObject({ status: 'completed', strategy: { waves: [{ count: 1 }, { percent: 100 }], maxParallel: 2, soakSeconds: 3, respectMaintenanceWindows: false } });

    step('the list shows it completed');
    await page.getByTestId('nav-rollouts').click();
    const row = page.getByTestId(`rollout-${rolloutId}`);
    await row.waitFor();
    expect(await row.getByTestId('rollout-status').getAttribute('data-status')).toBe('completed');
    expect(await text(row.getByTestId('version'))).toBe('2.0.0');
    expect(await text(row.getByTestId('progress'))).toBe(`${INSTALLATIONS}/${INSTALLATIONS}`);
    expect(vendor.errors).toEqual([]);
  }, 60_000);

  it('pause from the view stops new installations; resume finishes the rollout', async () => {
    step('vendor admin opens the 2.1.0 release and rolls it out from there');
    const vendor = await vendorAdmin();
    const page = vendor.page;
    await page.goto(`${base}/releases/${ids.release210}`);
    await page.getByTestId('release-rollout').click();
    await page.waitForURL((url) => url.pathname === '/rollouts/new');
    await expect.poll(() => page.getByLabel('Release', { exact: true }).inputValue(), { timeout: UI_TIMEOUT }).toBe(ids.release210);
    await button(page, 'Next').click();
    await button(page, 'Next').click();
    await page.getByLabel('Max parallel', { exact: true }).fill('1');
    await page.getByLabel('Respect maintenance windows', { exact: true }).uncheck();
    await button(page, 'Next').click();
    await recordCells(page);
    await button(page, 'Start rollout').click();
    await page.waitForURL((url) => /^\/rollouts\/[0-9a-f-]{36}$/.test(url.pathname));
    const rolloutId = new URL(page.url()).pathname.split('/').pop() ?? '';

    step('pause once the first installation succeeded');
    const succeeded = page.locator('li[data-testid^="target-"][data-status="succeeded"]');
    await expect.poll(() => succeeded.count(), { timeout: ROLLOUT_TIMEOUT }).toBeGreaterThan(0);
    await button(page, 'Pause').click();
    await expect.poll(() => text(page.getByTestId('rollout-status')), { timeout: UI_TIMEOUT }).toBe('paused');
    expect(await button(page, 'Resume').isVisible()).toBe(true);
    expect(await button(page, 'Pause').count()).toBe(0);
    expect(await text(page.getByTestId('rollout-message'))).toMatch(/^paused by /);
    await shot(page, 'rollout-paused');

    step('while paused nothing starts');
    const atPause = await cellStatuses(page);
    expect(atPause.filter((s) => s.includes('=pending@')).length).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 4 * AGENT_DELAY_MS));
    expect(await cellStatuses(page)).toEqual(atPause);
    expect((await api.get<Rollout>(`/rollouts/${rolloutId}`)).body.status).toBe('paused');

    step('resume → completed');
    await button(page, 'Resume').click();
    await expect.poll(() => text(page.getByTestId('rollout-status')), { timeout: ROLLOUT_TIMEOUT }).toBe('completed');
    expect(await cellStatuses(page)).toEqual(installations.map((i) => `target-${i.id}=succeeded@2`));
    expect(await marker(page)).toBe('still here');
    const seen = await seenCells(page);
    for (const { id, name } of installations) expect((seen[id] ?? []).map((s) => s.status), name).toContain('deploying');
    expect(rolloutGets('vendor-admin', rolloutId)).toBeLessThanOrEqual(2);
    await shot(page, 'rollout-resumed');
    expect(vendor.errors).toEqual([]);
  }, 60_000);

  it('a rollout that needs approval waits for the customer; the customer admin approves in the customer portal (now, and scheduled then now)', async () => {
    const [first, second] = installations;
    if (!first || !second) throw new Error('no installations');
    step('vendor starts 2.2.0 on two installations, approval required (through the API)');
    const res = await api.post<Rollout>('/rollouts', {
      releaseId: ids.release220,
      targets: { installationIds: [first.id, second.id] },
      strategy: { requireCustomerApproval: true, respectMaintenanceWindows: false },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const rolloutId = res.body.id;
    // The customer admin signs in meanwhile (the hub's scrypt runs while the vendor's browser works).
    const customerLogin = signIn('customer-admin', customerAdmin.email, PASSWORD, '/customer');
    customerLogin.catch(() => undefined);

    step('the vendor view shows both waiting for approval');
    const vendor = await vendorAdmin();
    await vendor.page.goto(`${base}/rollouts/${rolloutId}`);
    const firstCell = vendor.page.getByTestId(`target-${first.id}`);
    const secondCell = vendor.page.getByTestId(`target-${second.id}`);
    await expect.poll(() => firstCell.getByTestId('target-waiting').textContent(), { timeout: UI_TIMEOUT }).toBe('waiting for customer approval');
    // and says by whom
    await expect.poll(() => firstCell.getByTestId('target-blocker').textContent(), { timeout: UI_TIMEOUT }).toBe('Waits for approval by an admin of Fleet Co');
    await expect.poll(() => secondCell.getAttribute('data-status'), { timeout: UI_TIMEOUT }).toBe('waiting');

    step("the wizard shows the hub's refusal: the installation is already in a rollout");
    await vendor.page.goto(`${base}/rollouts/new?releaseId=${ids.release220}`);
    await expect.poll(() => vendor.page.getByLabel('Release', { exact: true }).inputValue(), { timeout: UI_TIMEOUT }).toBe(ids.release220);
    await button(vendor.page, 'Next').click();
    await vendor.page.getByLabel('Installations', { exact: true }).check();
    await vendor.page.getByLabel(first.name, { exact: true }).check();
    await button(vendor.page, 'Next').click();
    await button(vendor.page, 'Next').click();
    await button(vendor.page, 'Start rollout').click();
    await expect.poll(() => text(vendor.page.getByTestId('wizard-error')), { timeout: UI_TIMEOUT }).toMatch(/already in a rollout that has not finished/);
    expect(new URL(vendor.page.url()).pathname).toBe('/rollouts/new');
    await vendor.page.goto(`${base}/rollouts/${rolloutId}`);
    await expect.poll(() => secondCell.getAttribute('data-status'), { timeout: UI_TIMEOUT }).toBe('waiting');
    await recordCells(vendor.page);

    step('the customer admin sees both and approves the first');
    const customer = await customerLogin;
    const firstApproval = customer.page.getByTestId(`approval-${first.id}`);
    await firstApproval.waitFor();
    await customer.page.getByTestId(`approval-${second.id}`).waitFor();
    expect(await text(firstApproval.getByTestId('approval-installation'))).toBe(first.name);
    expect(await text(firstApproval.getByTestId('approval-version'))).toBe('2.2.0');
    await shot(customer.page, 'customer-approvals');
    await firstApproval.getByRole('button', { name: 'Approve update', exact: true }).click();
    await expect.poll(() => firstApproval.count(), { timeout: UI_TIMEOUT }).toBe(0);

    step('the vendor view follows live: the first updates, the second keeps waiting');
    await expect.poll(() => firstCell.getAttribute('data-status'), { timeout: ROLLOUT_TIMEOUT }).toBe('succeeded');
    expect(await secondCell.getAttribute('data-status')).toBe('waiting');
    expect((await seenCells(vendor.page))[first.id]?.map((s) => s.status)).toContain('deploying');
    expect(await text(vendor.page.getByTestId('rollout-status'))).toBe('running');

    step('the customer schedules the second for tomorrow, then updates it now after all');
    const secondApproval = customer.page.getByTestId(`approval-${second.id}`);
    await secondApproval.getByRole('button', { name: 'Later…', exact: true }).click();
    // A datetime-local value is the browser's wall-clock time: build it in the page.
    const tomorrow = await customer.page.evaluate(() => {
      const d = new Date(Date.now() + 86_400_000);
      const pad = (n: number) => String(n).padStart(2, '0');
      return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
    });
    await secondApproval.getByLabel('Update at', { exact: true }).fill(tomorrow);
    await secondApproval.getByRole('button', { name: 'Schedule update', exact: true }).click();
    const scheduled = customer.page.getByTestId(`scheduled-${second.id}`);
    await scheduled.waitFor();
    expect(await text(scheduled)).toMatch(/^Scheduled: edge-2 updates to 2\.2\.0 from \d{4}-\d\d-\d\d \d\d:\d\d UTC\./);
    const approvedFor = (await api.get<Rollout>(`/rollouts/${rolloutId}`)).body.targets.find((t) => t.installationId === second.id)?.approvedFor;
    expect(Math.abs(Date.parse(approvedFor ?? '') - (Date.now() + 86_400_000))).toBeLessThan(10 * 60_000);
    await new Promise((resolve) => setTimeout(resolve, 2 * AGENT_DELAY_MS));
    expect(await secondCell.getAttribute('data-status')).toBe('waiting');
    await scheduled.getByRole('button', { name: 'Update now', exact: true }).click();

    step('the vendor view completes live; the customer portal drops the approvals');
    await expect.poll(() => text(vendor.page.getByTestId('rollout-status')), { timeout: ROLLOUT_TIMEOUT }).toBe('completed');
    await expect.poll(() => customer.page.getByTestId('approvals').count(), { timeout: UI_TIMEOUT }).toBe(0);
    expect(await marker(vendor.page)).toBe('still here');
    const hubView = (await api.get<Rollout>(`/rollouts/${rolloutId}`)).body;
    expect(hubView.targets.map((t) => [t.installationId, t.status, t.approved])).toEqual([
      [first.id, 'succeeded', true],
      [second.id, 'succeeded', true],
    ]);
    for (const w of [vendor, customer]) expect(w.errors).toEqual([]);
  }, 60_000);

  it("a failing installation pauses the rollout; its cell shows why; abort from the view", async () => {
    const target = installations[2];
    const agent = agents[2];
    if (!target || !agent) throw new Error('no installation');
    step('a 2.3.0 whose api fails on one installation');
    const stages = ['db', 'api'].map((name) => [{ applicationId: apps[name], versionId: versions[`${name}@2.0.0`] }]);
    const release = await created(api.post<Release>(`/tracks/${ids.track}/releases`, { version: '2.3.0', stages }));
    expect((await api.post(`/releases/${release}/lock`)).status).toBe(200);
    agent.failing.add('api');
    try {
      const res = await api.post<Rollout>('/rollouts', { releaseId: release, targets: { installationIds: [target.id] }, strategy: { respectMaintenanceWindows: false } });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      const vendor = await vendorAdmin();
      const page = vendor.page;
      await page.goto(`${base}/rollouts/${res.body.id}`);
      const cell = page.getByTestId(`target-${target.id}`);
      await cell.waitFor();

      step('paused by the failure, the message on the cell');
      await expect.poll(() => text(page.getByTestId('rollout-status')), { timeout: ROLLOUT_TIMEOUT }).toBe('paused');
      expect(await text(page.getByTestId('rollout-message'))).toBe('an installation failed');
      await expect.poll(() => cell.getAttribute('data-status'), { timeout: UI_TIMEOUT }).toBe('failed');
      // The installation already runs an api (from 2.2.0), so the simulated failure may hit at stage 1 or 2.
      const failedStage = (await api.get<Rollout>(`/rollouts/${res.body.id}`)).body.targets[0]?.stage;
      // The failing check, as the agent reported it: component, health, message.
      expect(await text(cell.getByTestId('target-message'))).toBe(`stage ${failedStage} failed: api failed (simulated failure)`);
      expect(await text(cell.getByTestId('target-stage'))).toBe(`stage ${failedStage}/2`);
      await shot(page, 'rollout-failed');

      step('abort: two clicks');
      await button(page, 'Abort').click();
      await page.getByTestId('rollout-abort-confirm').click();
      await expect.poll(() => text(page.getByTestId('rollout-status')), { timeout: UI_TIMEOUT }).toBe('aborted');
      expect(await page.getByTestId('rollout-controls').count()).toBe(0);
      expect((await api.get<Rollout>(`/rollouts/${res.body.id}`)).body.status).toBe('aborted');
      expect(vendor.errors).toEqual([]);
    } finally {
      agent.failing.delete('api');
    }
  }, 60_000);

  it('under failurePolicy rollback the card ends "rolled back" by itself and the cell names the failed check', async () => {
    // A new installation (nothing deployed before): its rollback returns to no components, which the
    // simulated agent applies healthy (it fails any state that has an api).
    const id = await created(api.post('/installations', { customerId: ids.customer, name: 'edge-rollback', environment: 'production', agentKind: 'compose', trackId: ids.track }));
    const creds = await api.post<AgentCredentials>(`/installations/${id}/agent-credentials`);
    const agent = await simAgent(base, id, creds.body.agentId, creds.body.secret, AGENT_DELAY_MS);
    agents.push(agent);
    const target = { id };
    step('a 2.4.0 whose api fails, rolled out with failurePolicy rollback (maxFailures 0)');
    const stages = ['db', 'api'].map((name) => [{ applicationId: apps[name], versionId: versions[`${name}@2.0.0`] }]);
    const release = await created(api.post<Release>(`/tracks/${ids.track}/releases`, { version: '2.4.0', stages }));
    expect((await api.post(`/releases/${release}/lock`)).status).toBe(200);
    agent.failing.add('api');
    try {
      const res = await api.post<Rollout>('/rollouts', { releaseId: release, targets: { installationIds: [target.id] }, strategy: { respectMaintenanceWindows: false, failurePolicy: 'rollback' } });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      const vendor = await vendorAdmin();
      const page = vendor.page;
      await page.goto(`${base}/rollouts/${res.body.id}`);
      const cell = page.getByTestId(`target-${target.id}`);
      await cell.waitFor();
      await expect.poll(() => text(page.getByTestId('rollout-status')), { timeout: ROLLOUT_TIMEOUT }).toBe('rolled back');
      expect(await page.getByTestId('rollout-status').getAttribute('data-status')).toBe('rolled_back');
      expect(await text(page.getByTestId('rollout-message'))).toBe('1 failure exceeds maxFailures (0): failed installations rolled back');
      await expect.poll(() => cell.getAttribute('data-status'), { timeout: UI_TIMEOUT }).toBe('rolled_back');
      expect(await text(cell.getByTestId('target-message'))).toMatch(/^stage [12] failed: api failed \(simulated failure\)$/);
      expect(await page.getByTestId('rollout-controls').count()).toBe(0);
      await shot(page, 'rollout-rolled-back');
      expect(vendor.errors).toEqual([]);

      step('the customer sees 2.4.0 as failed on that installation, not as an update');
      const customer = await signIn('customer-admin-rollback', customerAdmin.email, PASSWORD, '/customer');
      const card = customer.page.getByTestId(`updates-${id}`);
      const failed = card.getByTestId(`failed-release-${release}`);
      await failed.waitFor();
      expect(await text(failed.getByTestId('failed-version'))).toBe('2.4.0');
      expect(await text(failed.getByTestId('failed-status'))).toBe('failed, rolled back');
      expect(await text(failed.getByTestId('failed-message'))).toMatch(/^stage [12] failed: api failed \(simulated failure\)$/);
      expect(await card.getByTestId(`update-${release}`).count()).toBe(0);
      await shot(customer.page, 'customer-failed-release');
      expect(customer.errors).toEqual([]);
    } finally {
      agent.failing.delete('api');
    }
  }, 60_000);
});

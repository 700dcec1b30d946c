import { describe, expect, it } from 'vitest';
import { ApiClient } from './api-client.js';
import { randomSuffix, waitFor } from './helpers.js';
import { UI_TIMEOUT, shot, signInWithForm, useBrowserSuite } from './browser-helpers.js';
import { connectAgent, host } from './sim-agent.js';

/**
 * Firing alerts on the fleet and installation pages, live: an "offline" rule fires for an
 * installation whose agent went away (evaluated with the clock moved on) and the open pages show it
 * without a reload; the agent comes back and the alert goes away, again without a reload.
 */
const suite = useBrowserSuite();

describe('firing alerts in the portal', () => {
  it('appear and go away live on the fleet and installation pages', async () => {
    const api = new ApiClient(suite.hub.url);
    const vendor = await api.signup(randomSuffix());
    expect((await api.post('/alert-rules', { name: 'Offline 5 min', kind: 'offline', threshold: 5 })).status).toBe(201);
    const customer = (await api.post<{ id: string }>('/customers', { name: 'Globex' })).body.id;
    const id = (await api.post<{ id: string }>('/installations', { customerId: customer, name: 'berlin', environment: 'production', agentKind: 'compose' })).body.id;
    const creds = (await api.post<{ agentId: string; secret: string }>(`/installations/${id}/agent-credentials`)).body;
    const first = await connectAgent(suite.hub.url, creds.agentId, creds.secret);
    await first.emitWithAck('agent:hello', { host, appliedRevision: 0, components: [] });
    first.close();
    await waitFor(async () => ((await api.get<{ online: boolean }>(`/installations/${id}/status`)).body.online ? undefined : true), 10_000, 'offline');

    const fleetPage = await signInWithForm(await suite.open('fleet'), suite.hub.url, vendor.email, vendor.password, '/');
    const instPage = await suite.open('installation');
    await instPage.context.addCookies(await fleetPage.context.cookies());
    await instPage.page.goto(`${suite.hub.url}/installations/${id}`);
    await instPage.page.getByTestId('installation-title').waitFor();
    expect(await fleetPage.page.getByTestId('firing-alerts').count()).toBe(0);

    expect(await suite.hub.app.services.alerts.evaluateVendor(vendor.vendorId, Date.now() + 6 * 60_000)).toEqual({ fired: 1, resolved: 0 });
    const fleetAlerts = fleetPage.page.getByRole('region', { name: 'Firing alerts' });
    await expect.poll(() => fleetAlerts.textContent(), { timeout: UI_TIMEOUT }).toMatch(/Offline 5 min\s*berlin\s*offline for \d+ min/);
    await expect.poll(() => instPage.page.getByRole('region', { name: 'Firing alerts' }).textContent(), { timeout: UI_TIMEOUT }).toMatch(/Offline 5 min/);

    const back = await connectAgent(suite.hub.url, creds.agentId, creds.secret);
    await back.emitWithAck('agent:hello', { host, appliedRevision: 0, components: [] });
    await waitFor(async () => ((await api.get<{ online: boolean }>(`/installations/${id}/status`)).body.online ? true : undefined), 10_000, 'online');
    expect(await suite.hub.app.services.alerts.evaluateVendor(vendor.vendorId, Date.now() + 6 * 60_000)).toEqual({ fired: 0, resolved: 1 });
    await expect.poll(() => fleetPage.page.getByTestId('firing-alerts').count(), { timeout: UI_TIMEOUT }).toBe(0);
    await expect.poll(() => instPage.page.getByTestId('firing-alerts').count(), { timeout: UI_TIMEOUT }).toBe(0);
    back.close();
    expect([...fleetPage.errors, ...instPage.errors]).toEqual([]);
  });

  it('are ruled in Settings → Alerts: a rule made there (after a refused one) fires, then is edited, disabled and deleted', async () => {
    const api = new ApiClient(suite.hub.url);
    const vendor = await api.signup(randomSuffix());
    const customer = (await api.post<{ id: string }>('/customers', { name: 'Initech' })).body.id;
    const id = (await api.post<{ id: string }>('/installations', { customerId: customer, name: 'lisbon', environment: 'production', agentKind: 'compose' })).body.id;
    const creds = (await api.post<{ agentId: string; secret: string }>(`/installations/${id}/agent-credentials`)).body;
    const agent = await connectAgent(suite.hub.url, creds.agentId, creds.secret);
    await agent.emitWithAck('agent:hello', { host, appliedRevision: 0, components: [] });
    agent.close();
    await waitFor(async () => ((await api.get<{ online: boolean }>(`/installations/${id}/status`)).body.online ? undefined : true), 10_000, 'offline');

    const watched = await signInWithForm(await suite.open('alert-rules'), suite.hub.url, vendor.email, vendor.password, '/');
    const { page } = watched;
    await page.getByTestId('nav-alerts').click();
    await page.getByTestId('alert-rules-empty').waitFor();

    // The hub's validation, shown on the field: an offline threshold of 0 minutes is refused.
    await page.getByLabel('Name').fill('Lisbon down');
    await page.getByLabel('Condition').selectOption('offline');
    await page.getByLabel('Threshold (minutes)').fill('0');
    await page.getByRole('button', { name: 'Create rule' }).click();
    await expect.poll(() => page.getByTestId('alert-rule-form-error').textContent(), { timeout: UI_TIMEOUT }).toMatch(/Threshold: .*at least 1/);
    expect((await api.get<{ items: unknown[] }>('/alert-rules')).body.items).toEqual([]);

    await page.getByLabel('Threshold (minutes)').fill('5');
    await page.getByRole('button', { name: 'Create rule' }).click();
    const table = page.getByTestId('alert-rules-table');
    await expect.poll(() => table.textContent(), { timeout: UI_TIMEOUT }).toMatch(/Lisbon down\s*Offline longer than 5 minutes\s*Enabled/);
    await shot(page, 'settings-alerts');
    const [rule] = (await api.get<{ items: { id: string; kind: string; threshold: number; enabled: boolean }[] }>('/alert-rules')).body.items;
    expect(rule).toMatchObject({ kind: 'offline', threshold: 5, enabled: true });

    // The rule made in the page fires for the installation that went away.
    expect(await suite.hub.app.services.alerts.evaluateVendor(vendor.vendorId, Date.now() + 6 * 60_000)).toEqual({ fired: 1, resolved: 0 });
    await page.getByTestId('nav-fleet').click();
    await expect.poll(() => page.getByRole('region', { name: 'Firing alerts' }).textContent(), { timeout: UI_TIMEOUT }).toMatch(/Lisbon down\s*lisbon\s*offline for \d+ min/);

    await page.getByTestId('nav-alerts').click();
    await page.getByRole('button', { name: 'Edit Lisbon down' }).click();
    await page.getByLabel('Rule threshold').fill('30');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => table.textContent(), { timeout: UI_TIMEOUT }).toMatch(/Offline longer than 30 minutes/);
    await page.getByRole('button', { name: 'Disable Lisbon down' }).click();
    await expect.poll(() => table.getByTestId('state').textContent(), { timeout: UI_TIMEOUT }).toBe('Disabled');
    expect((await api.get<{ items: unknown[] }>('/alert-rules')).body.items).toEqual([expect.objectContaining({ threshold: 30, enabled: false })]);
    // Disabled: its alert resolves on the next run.
    expect(await suite.hub.app.services.alerts.evaluateVendor(vendor.vendorId, Date.now() + 60 * 60_000)).toEqual({ fired: 0, resolved: 1 });

    await page.getByTestId(`delete-rule-${rule?.id}`).click();
    await page.getByTestId(`delete-rule-${rule?.id}-confirm`).click();
    await page.getByTestId('alert-rules-empty').waitFor();
    expect((await api.get<{ items: unknown[] }>('/alert-rules')).body.items).toEqual([]);
    expect(watched.errors).toEqual([]);
  });
});

/// <reference lib="dom" />
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentCredentials, UsageSample } from '@flotilla/protocol';
import { ApiClient } from './api-client.js';
import { randomSuffix } from './helpers.js';
import { UI_TIMEOUT, shot, signInWithForm, useBrowserSuite } from './browser-helpers.js';
import { connectAgent, host, type AgentSocket } from './sim-agent.js';

/**
 * The installation page charts an agent's resource usage (uPlot): host CPU/memory/disk and per
 * component CPU and memory, and follows new samples without a reload.
 */

const suite = useBrowserSuite();

let agent: AgentSocket | undefined;

afterAll(async () => {
  agent?.disconnect();
});

const since = new Date().toISOString();
const sample = (cpu: number): UsageSample => ({
  at: new Date().toISOString(),
  host: { cpuPercent: cpu, memoryUsedBytes: 6 * 2 ** 30, memoryTotalBytes: 16 * 2 ** 30, diskUsedBytes: 30 * 2 ** 30, diskTotalBytes: 100 * 2 ** 30 },
  components: [
    { name: 'web', cpuPercent: cpu, memoryBytes: 120 * 2 ** 20, restarts: 0 },
    { name: 'db', cpuPercent: cpu / 2, memoryBytes: 300 * 2 ** 20, restarts: 1 },
  ],
});

describe('installation metrics charts', () => {
  let api: ApiClient;
  let admin: { email: string; password: string };
  let installationId: string;

  beforeAll(async () => {
    api = new ApiClient(suite.hub.url);
    admin = await api.signup(randomSuffix());
    const customer = await api.post<{ id: string }>('/customers', { name: 'Globex' });
    installationId = (await api.post<{ id: string }>('/installations', { customerId: customer.body.id, name: 'globex-prod', environment: 'production', agentKind: 'compose' })).body.id;
    const creds = (await api.post<AgentCredentials>(`/installations/${installationId}/agent-credentials`)).body;
    agent = await connectAgent(suite.hub.url, creds.agentId, creds.secret);
    await agent.emitWithAck('agent:hello', { host, appliedRevision: 0, components: [] });
  });

  it('draws host and component charts and adds new samples live', async () => {
    if (agent === undefined) throw new Error('setup failed');
    const components = (health: 'healthy' | 'degraded') => [
      { name: 'db', version: '1', health, since },
      { name: 'web', version: '1', health: 'healthy' as const, since },
    ];
    for (const cpu of [10, 35, 20]) {
      expect(await agent.emitWithAck('status:report', { revision: 0, components: components('healthy'), usage: sample(cpu) })).toEqual({ ok: true });
      await new Promise((r) => setTimeout(r, 20));
    }
    const watched = await signInWithForm(await suite.open('vendor'), suite.hub.url, admin.email, admin.password, '/');
    const { page } = watched;
    await page.goto(`${suite.hub.url}/installations/${installationId}`);
    const hostChart = page.getByTestId('chart-host');
    await expect.poll(() => hostChart.getAttribute('data-points'), { timeout: UI_TIMEOUT }).toBe('3');
    expect(await hostChart.getAttribute('data-series')).toBe('CPU %,Memory %,Disk %');
    expect(await page.getByTestId('chart-component-cpu').getAttribute('data-series')).toBe('db,web');
    expect(await page.getByTestId('chart-component-memory').getAttribute('data-points')).toBe('3');
    // uPlot drew: a canvas per chart with its legend.
    expect(await page.locator('[data-testid="metrics"] canvas').count()).toBe(3);
    await expect.poll(() => page.locator('[data-testid="chart-component-memory"] .u-legend').textContent()).toContain('db');

    // A new sample with a status change: the page refetches without a reload.
    expect(await agent.emitWithAck('status:report', { revision: 0, components: components('degraded'), usage: sample(80) })).toEqual({ ok: true });
    await expect.poll(() => hostChart.getAttribute('data-points'), { timeout: UI_TIMEOUT }).toBe('4');
    await page.getByTestId('metrics-tab-24h').click();
    await expect.poll(() => hostChart.getAttribute('data-points'), { timeout: UI_TIMEOUT }).toMatch(/^[12]$/);
    await page.getByTestId('metrics-tab-1h').click();
    await expect.poll(() => hostChart.getAttribute('data-points'), { timeout: UI_TIMEOUT }).toBe('4');
    await page.getByTestId('metrics').scrollIntoViewIfNeeded();
    await shot(page, 'installation-metrics');
    expect(watched.errors).toEqual([]);
  }, 120_000);
});

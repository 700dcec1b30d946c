/// <reference lib="dom" />
import { afterAll, describe, expect, it } from 'vitest';
import type { Command } from '@flotilla/protocol';
import { ApiClient, deployedInstallation } from './api-client.js';
import { randomSuffix } from './helpers.js';
import { shot, signInWithForm, useBrowserSuite } from './browser-helpers.js';
import { connectAgent, host, type AgentSocket } from './sim-agent.js';

/**
 * The installation page in a real browser: a simulated agent reports a drifted component, the
 * vendor admin sees it, clicks Redeploy, and watches the command run to succeeded and the drift
 * clear, live (the agent answers the command like agent-core does: ack, running, succeeded).
 */

const suite = useBrowserSuite();

let agent: AgentSocket | undefined;

afterAll(async () => {
  agent?.disconnect();
});

describe('installation page', () => {
  it('shows drift and a Redeploy that runs live to succeeded and clears it', async () => {
    const base = suite.hub.url;
    const api = new ApiClient(base);
    const admin = await api.signup(randomSuffix());
    const { installationId, creds } = await deployedInstallation(api);

    // The agent: drifted at first; a redeploy command is acked, run, and reported without drift.
    const since = new Date().toISOString();
    const drifted = { name: 'shop', version: '1.0.0', health: 'healthy' as const, since, drift: { appliedRevision: 5, actualRevision: 7 } };
    const commands: Command[] = [];
    const sim = await connectAgent(base, creds.agentId, creds.secret, {
      onCommand: (command) => {
        commands.push(command);
        return { accepted: true };
      },
    });
    agent = sim;
    sim.on('command', (command) => {
      setTimeout(() => {
        void (async () => {
          await sim.emitWithAck('command:progress', { id: command.id, status: 'running' });
          await new Promise((r) => setTimeout(r, 300));
          await sim.emitWithAck('command:progress', { id: command.id, status: 'succeeded', message: 'redeployed shop', components: [{ ...drifted, drift: undefined }] });
        })();
      }, 100);
    });
    await sim.emitWithAck('agent:hello', { host, appliedRevision: 1, components: [drifted] });

    const { page } = await signInWithForm(await suite.open('vendor'), base, admin.email, admin.password, '/');
    await page.getByTestId('installations-table').getByRole('link', { name: 'edge-1' }).click();
    await page.waitForURL((url) => url.pathname === `/installations/${installationId}`);
    expect(await page.getByTestId('drift-shop').textContent()).toBe('drifted: cluster at revision 7, agent applied 5');
    expect(await page.getByTestId('agent-version').textContent()).toBe('0.1.0-test');
    await page.evaluate(() => {
      (window as unknown as { __noReload: boolean }).__noReload = true;
    });
    await shot(page, 'installation-drifted');

    await page.getByTestId('redeploy-shop').click();
    const row = page.locator('[data-testid^="command-"][data-type="redeploy"]');
    await row.and(page.locator('[data-status="succeeded"]')).waitFor();
    expect(await row.getByTestId('command-message').textContent()).toContain('redeployed shop');
    await page.getByTestId('drift-shop').waitFor({ state: 'detached' });
    expect(commands).toEqual([{ id: expect.any(String) as string, type: 'redeploy', targets: ['shop'] }]);
    expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
    await shot(page, 'installation-redeployed');
  });
});

/// <reference lib="dom" />
import { afterAll, describe, expect, it } from 'vitest';
import type { LogFollowStart } from '@flotilla/protocol';
import { ApiClient, deployedInstallation } from './api-client.js';
import { randomSuffix, waitFor } from './helpers.js';
import { shot, signInWithForm, useBrowserSuite } from './browser-helpers.js';
import { connectAgent, host, type AgentSocket } from './sim-agent.js';

/**
 * Logs on the installation page in a real browser. A simulated agent answers `logs:follow` like
 * agent-core does (accepts, streams chunks and waits for each ack, one with a dropped-lines count)
 * and records `logs:unfollow`; it answers collect-logs with a few lines. The vendor follows a
 * component's logs, sees them arrive, pauses scrolling, and leaving the page stops the follow; the
 * collected logs are searched.
 */

const suite = useBrowserSuite();

let agent: AgentSocket | undefined;

afterAll(async () => {
  agent?.disconnect();
});

/** Streams `tick N` lines to the hub every 100 ms, each chunk after the previous one's ack, until unfollowed. */
function streamTicks(sim: AgentSocket, start: LogFollowStart, stopped: Set<string>): void {
  void (async () => {
    for (let seq = 0; !stopped.has(start.followId) && seq < 600; seq++) {
      const chunk = { followId: start.followId, seq, lines: [`tick ${seq}`], ...(seq === 3 ? { dropped: 4 } : {}) };
      await sim.timeout(5000).emitWithAck('logs:stream', chunk);
      await new Promise((r) => setTimeout(r, 100));
    }
  })().catch(() => undefined);
}

describe('installation page logs', () => {
  it('follows a component live, stops when the page is left, and searches collected logs', async () => {
    const base = suite.hub.url;
    const api = new ApiClient(base);
    const admin = await api.signup(randomSuffix());
    const { installationId, creds } = await deployedInstallation(api);

    const follows: LogFollowStart[] = [];
    const unfollowed = new Set<string>();
    const sim = await connectAgent(base, creds.agentId, creds.secret);
    agent = sim;
    sim.on('logs:follow', (start, ack) => {
      follows.push(start);
      ack({ accepted: true });
      streamTicks(sim, start, unfollowed);
    });
    sim.on('logs:unfollow', ({ followId }) => unfollowed.add(followId));
    sim.on('command', (command) => {
      if (command.type !== 'collect-logs') return;
      setTimeout(() => {
        void (async () => {
          await sim.emitWithAck('logs:chunk', { commandId: command.id, component: 'shop', lines: ['GET /health 200', 'ERROR db timeout', 'GET /cart 200', 'error: retrying'], done: true });
          await sim.emitWithAck('command:progress', { id: command.id, status: 'succeeded', message: 'collected 4 lines' });
        })();
      }, 100);
    });
    await sim.emitWithAck('agent:hello', { host, appliedRevision: 1, components: [{ name: 'shop', version: '1.0.0', health: 'healthy', since: new Date().toISOString() }] });

    const { page } = await signInWithForm(await suite.open('vendor'), base, admin.email, admin.password, '/');
    await page.getByTestId('installations-table').getByRole('link', { name: 'edge-1' }).click();
    await page.waitForURL((url) => url.pathname === `/installations/${installationId}`);
    await page.getByRole('button', { name: 'Follow logs of shop' }).click();
    const pane = page.getByRole('region', { name: 'Live logs of shop' });
    const lines = pane.getByRole('log', { name: 'Log lines of shop' });
    await lines.getByText('tick 6').waitFor();
    expect(((await lines.textContent()) ?? '').startsWith('tick 0\n')).toBe(true); // lines sent before the follow was named are kept
    const text = (await lines.textContent()) ?? '';
    expect(text).toContain('… 4 lines dropped (rate limit)\ntick 3');
    expect(await pane.getByRole('status').textContent()).toBe('Following…');
    expect(follows).toEqual([{ followId: expect.any(String) as string, component: 'shop', tail: 100, limits: expect.objectContaining({ window: 4 }) as object }]);
    // Auto-scroll keeps the newest line in view; paused, it stays where it is.
    await page.getByRole('button', { name: 'Pause scrolling' }).click();
    expect(await page.getByRole('button', { name: 'Resume scrolling' }).getAttribute('aria-pressed')).toBe('true');
    await shot(page, 'installation-log-follow');

    // Leaving the page (client-side navigation) stops the follow on the agent.
    const followId = follows[0]?.followId ?? '';
    await page.getByRole('link', { name: 'Fleet' }).first().click();
    await waitFor(() => (unfollowed.has(followId) ? true : undefined), 10_000, 'logs:unfollow at the agent');

    // Collected logs are searchable.
    await page.goto(`${base}/installations/${installationId}`);
    await page.getByTestId('collect-logs').click();
    const show = page.locator('[data-testid^="show-logs-"]');
    await show.click();
    await page.getByRole('searchbox', { name: 'Search logs' }).fill('error');
    await page.getByTestId('log-search-count').getByText('2 matching lines').waitFor();
    const shown = (await page.locator('[data-testid^="logs-"] pre.logs').textContent()) ?? '';
    expect(shown.split('\n')).toEqual(['ERROR db timeout', 'error: retrying']);
    await shot(page, 'installation-log-search');
  });
});

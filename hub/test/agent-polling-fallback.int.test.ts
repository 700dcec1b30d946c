import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_HTTP, type AgentCredentials, type InstallationCommandDetail, type InstallationEvent, type InstallationStatus } from '@flotilla/protocol';
import { createAgent, createLogger, loadConfig, type Agent } from '@flotilla/agent-core';
import { MemoryDriver } from '@flotilla/agent-core/testing';
import { ApiClient, COMPOSE_V1 } from './api-client.js';
import { createTestDatabase, randomSuffix, startTestHub, waitFor, type TestDatabase, type TestHub } from './helpers.js';
import { WebsocketBlockingProxy } from './websocket-blocking-proxy.js';

/**
 * The agent's HTTP polling fallback against a real hub: a real agent-core agent (in-memory driver)
 * reaches the hub only through a proxy that refuses websocket upgrades, falls back to polling after
 * FLOTILLA_POLL_AFTER, goes online, applies a deploy, runs a command, and returns to the websocket
 * as soon as the proxy lets upgrades through.
 */

let tdb: TestDatabase;
let hub: TestHub;
let api: ApiClient;
let proxy: WebsocketBlockingProxy;
let dir: string;
let agent: Agent | undefined;
let installationId: string;
let versionId: string;
const driver = new MemoryDriver('compose');

beforeAll(async () => {
  tdb = await createTestDatabase();
  hub = await startTestHub({ databaseUrl: tdb.url });
  api = new ApiClient(hub.url);
  await api.signup(randomSuffix());
  const app = await api.post<{ id: string }>('/applications', { name: 'Shop Web', kind: 'compose' });
  versionId = (await api.post<{ id: string }>(`/applications/${app.body.id}/versions`, { version: '1.0.0', compose: { file: COMPOSE_V1 } })).body.id;
  const customer = await api.post<{ id: string }>('/customers', { name: 'Acme' });
  installationId = (await api.post<{ id: string }>('/installations', { customerId: customer.body.id, name: 'main', environment: 'production', agentKind: 'compose' })).body.id;
  proxy = await WebsocketBlockingProxy.start(hub.url);
  dir = await mkdtemp(path.join(os.tmpdir(), 'flotilla-polling-'));
});

afterAll(async () => {
  await agent?.stop();
  await proxy.close();
  await hub.close();
  await tdb.drop();
  await rm(dir, { recursive: true, force: true });
});

const status = async () => (await api.get<InstallationStatus>(`/installations/${installationId}/status`)).body;
const events = async () => (await api.get<{ items: InstallationEvent[] }>(`/installations/${installationId}/events`)).body.items;
const command = async (id: string) => (await api.get<InstallationCommandDetail>(`/installations/${installationId}/commands/${id}`)).body;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('agent HTTP polling fallback behind a proxy that breaks websockets', () => {
  it('polls, applies deploys and runs commands over HTTP, then returns to the websocket', async () => {
    const creds = (await api.post<AgentCredentials>(`/installations/${installationId}/agent-credentials`)).body;
    // The configuration as the agent binaries read it.
    const config = loadConfig(
      [],
      {
        FLOTILLA_HUB_URL: proxy.url,
        FLOTILLA_AGENT_ID: creds.agentId,
        FLOTILLA_AGENT_SECRET: creds.secret,
        FLOTILLA_STATE_DIR: dir,
        FLOTILLA_HEALTH_INTERVAL: '0.2',
        FLOTILLA_POLL_AFTER: '1',
        FLOTILLA_POLL_INTERVAL: '1',
      },
      dir,
    );
    const logger = createLogger(process.env.TEST_LOG_LEVEL === undefined ? 'silent' : 'debug', { name: 'agent' });
    agent = createAgent(driver, config, logger, { agentVersion: '0.9.0-poll', backoff: { baseMs: 200, maxMs: 1000 }, healthPollMs: 50 });
    const a = agent;
    await a.start();

    // Online through polling, the websocket still being refused.
    await waitFor(async () => a.link === 'polling' && (await status()).online, 15_000, 'the agent online via HTTP polling');
    expect(proxy.refusedUpgrades).toBeGreaterThan(0);
    expect(proxy.count(AGENT_HTTP.state)).toBeGreaterThan(0);
    await waitFor(() => a.connected, 5000, 'the agent to count itself connected (polls answered)');
    expect((await events()).some((e) => e.type === 'connected' && e.message === 'agent 0.9.0-poll via HTTP polling')).toBe(true);

    // A deploy reaches the agent through a poll; its status reports come back over HTTP.
    const deployed = await api.post<{ revision: number }>(`/installations/${installationId}/deploy`, { versionId });
    expect(deployed.status).toBe(202);
    const applied = await waitFor(
      async () => {
        const s = await status();
        return s.appliedRevision === deployed.body.revision && s.health === 'healthy' ? s : undefined;
      },
      20_000,
      'the deploy applied and healthy',
    );
    expect(applied.components).toEqual([expect.objectContaining({ version: '1.0.0', health: 'healthy' })]);
    expect(driver.applies().map((c) => c.version)).toEqual(['1.0.0']);
    expect(proxy.count(AGENT_HTTP.status)).toBeGreaterThan(0);

    // A command: handed over by a poll, its progress posted over HTTP.
    const redeploy = await api.post<{ id: string }>(`/installations/${installationId}/commands`, { type: 'redeploy' });
    expect(redeploy.status).toBe(202);
    await waitFor(async () => ((await command(redeploy.body.id)).status === 'succeeded' ? true : undefined), 20_000, 'the redeploy to succeed over polling');
    expect(driver.applies().filter((c) => c.force)).toHaveLength(1);
    expect(proxy.count(AGENT_HTTP.progress)).toBeGreaterThan(0);

    // Log chunks have no HTTP route: collect-logs is refused while polling, with the reason.
    const logs = await api.post<{ id: string }>(`/installations/${installationId}/commands`, { type: 'collect-logs' });
    const refused = await waitFor(async () => {
      const c = await command(logs.body.id);
      return c.status === 'failed' ? c : undefined;
    }, 20_000, 'collect-logs refused over polling');
    expect(refused.message).toMatch(/collect-logs needs the websocket connection/);
    expect(driver.calls.some((c) => c.op === 'logs')).toBe(false);

    // The proxy lets websockets through: the agent switches back and stops polling.
    expect(a.link).toBe('polling');
    proxy.allowUpgrades = true;
    await waitFor(() => a.link === 'websocket', 15_000, 'the agent back on the websocket');
    expect(proxy.tunnelledUpgrades).toBeGreaterThan(0);
    await waitFor(async () => ((await events()).some((e) => e.type === 'connected' && e.message?.startsWith('agent 0.9.0-poll via') && !e.message.includes('HTTP polling')) ? true : undefined), 10_000, 'a websocket connected event');
    const polls = proxy.count(AGENT_HTTP.state);
    await sleep(4000); // longer than the polling session (3 intervals): its expiry must not take the websocket agent offline
    expect(proxy.count(AGENT_HTTP.state)).toBe(polls);
    expect((await status()).online).toBe(true);
  });
});

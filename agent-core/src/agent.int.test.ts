import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION, type DesiredComponent, type DesiredState } from '@flotilla/protocol';
import { FakeHub, waitFor } from '../test/fake-hub.js';
import { createAgent, type Agent, type AgentOptions } from './agent.js';
import type { AgentConfig } from './config.js';
import { createLogger } from './logger.js';
import { MemoryDriver } from './testing/memory-driver.js';

const logger = createLogger(process.env.TEST_LOG_LEVEL === undefined ? 'silent' : 'debug');
let dir: string;
let hub: FakeHub;
const agents: Agent[] = [];

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'flotilla-agent-'));
  hub = await FakeHub.start();
});
afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.stop()));
  await hub.close();
  await rm(dir, { recursive: true, force: true });
});

const comp = (name: string, version: string, stage = 1): DesiredComponent => ({
  name,
  kind: 'compose',
  version,
  stage,
  spec: { file: `services: {}\n# ${version}\n`, env: 'SECRET=x\n' },
});
const desired = (revision: number, components: DesiredComponent[]): DesiredState => ({ installationId: 'inst-1', revision, components });

function config(overrides: Partial<AgentConfig> = {}): AgentConfig {
  return {
    hubUrl: hub.url,
    agentId: 'agent-1',
    secret: 'secret-1',
    stateDir: dir,
    logLevel: 'silent',
    statusIntervalMs: 60_000,
    healthIntervalMs: 50,
    healthTimeoutMs: 5000,
    ...overrides,
  };
}

async function startAgent(driver: MemoryDriver, cfg = config(), options: AgentOptions = {}): Promise<Agent> {
  const agent = createAgent(driver, cfg, logger, { agentVersion: '9.9.9', backoff: { baseMs: 50, maxMs: 200 }, healthPollMs: 20, ...options });
  agents.push(agent);
  await agent.start();
  return agent;
}

describe('agent with a fake hub', () => {
  it('says hello with its handshake, host facts and applied revision', async () => {
    await startAgent(new MemoryDriver());
    const hello = await waitFor(() => hub.hellos[0], 5000, 'hello');
    expect(hello).toMatchObject({ appliedRevision: 0, components: [], host: { runtime: 'memory 1.0', hostname: os.hostname(), arch: os.arch() } });
    expect(hub.auths[0]).toEqual({ agentId: 'agent-1', secret: 'secret-1', agentVersion: '9.9.9', protocolVersion: PROTOCOL_VERSION, kind: 'compose' });
  });

  it('applies a pushed desired state, persists it and reports the component healthy', async () => {
    const driver = new MemoryDriver();
    const agent = await startAgent(driver);
    await waitFor(() => hub.hellos.length === 1, 5000, 'hello');
    hub.push(desired(1, [comp('api', '1.0.0')]));
    await waitFor(() => agent.state.appliedRevision === 1, 5000, 'apply');
    expect(driver.applies()).toMatchObject([{ name: 'api', version: '1.0.0', installationId: 'inst-1', revision: 1 }]);
    const onDisk = JSON.parse(await readFile(path.join(dir, 'state.json'), 'utf8')) as { appliedRevision: number };
    expect(onDisk.appliedRevision).toBe(1);
    const report = await waitFor(() => hub.reports.find((r) => r.revision === 1 && r.components[0]?.health === 'healthy'), 5000, 'report');
    expect(report.components).toEqual([{ name: 'api', version: '1.0.0', health: 'healthy', since: expect.any(String) }]);
    // From applying to healthy, never 'unknown' in between (the hub's timeline would show it as a health change).
    // Nor a report without it (the hub reads an empty one as 'unknown').
    const all = hub.reports.map((r) => r.components.find((c) => c.name === 'api')?.health);
    const healths = all.slice(all.findIndex((h) => h !== undefined));
    expect(healths.filter((h, i) => h !== healths[i - 1])).toEqual(['progressing', 'healthy']);
  });

  it('reconnects after a hub restart with a new hello and does not re-apply', async () => {
    const driver = new MemoryDriver();
    const agent = await startAgent(driver);
    hub.desired = desired(1, [comp('api', '1.0.0')]);
    await waitFor(() => agent.state.appliedRevision === 1, 5000, 'apply from hello');
    await agent.idle();
    await hub.restart(100);
    await waitFor(() => hub.hellos.length === 2, 10_000, 'second hello');
    expect(hub.hellos[1]).toMatchObject({ appliedRevision: 1, components: [{ name: 'api', version: '1.0.0', health: 'healthy' }] });
    await agent.idle();
    expect(driver.applies()).toHaveLength(1);
  });

  it('after a restart notice, reconnects within the hub\'s window however many attempts fail', async () => {
    const driver = new MemoryDriver();
    // Escalating backoff (here 45, 90, 180… ms) would first retry 5.7 s after a 3 s outage; the notice keeps attempts 270 ms apart.
    const agent = createAgent(driver, config(), logger, { agentVersion: '9.9.9', backoff: { baseMs: 50, maxMs: 10_000, random: () => 0.9 }, healthPollMs: 20 });
    agents.push(agent);
    await agent.start();
    await waitFor(() => hub.hellos.length === 1, 5000, 'first hello');
    const down = Date.now();
    await hub.restart(3000, 300);
    await waitFor(() => hub.hellos.length === 2, 10_000, 'hello after the restart');
    expect(Date.now() - down).toBeLessThan(3000 + 1000);
  });

  it('a restarted agent reconnects without redeploying', async () => {
    const driver = new MemoryDriver();
    hub.desired = desired(2, [comp('api', '2.0.0')]);
    const first = await startAgent(driver);
    await waitFor(() => first.state.appliedRevision === 2, 5000, 'apply');
    await first.stop();
    const second = await startAgent(driver);
    await waitFor(() => hub.hellos.length === 2, 5000, 'second hello');
    expect(hub.hellos[1]?.appliedRevision).toBe(2);
    await second.idle();
    expect(driver.applies()).toHaveLength(1);
  });

  it('keeps retrying with backoff when the hub rejects the credentials, and connects once they are valid again', async () => {
    hub.secret = 'rotated';
    const agent = await startAgent(new MemoryDriver());
    await waitFor(() => hub.rejected >= 4, 10_000, 'several rejected attempts');
    expect(agent.connected).toBe(false);
    expect(hub.hellos).toHaveLength(0);
    hub.secret = 'secret-1';
    await waitFor(() => hub.hellos.length === 1, 10_000, 'hello after credentials fixed');
    expect(agent.connected).toBe(true);
  });

  it('ignores invalid payloads from the hub and keeps working', async () => {
    const driver = new MemoryDriver();
    const agent = await startAgent(driver);
    await waitFor(() => hub.hellos.length === 1, 5000, 'hello');
    hub.pushRaw({ installationId: 'inst-1', revision: 'three', components: [] });
    hub.pushRaw({ installationId: 'inst-1', revision: 4, components: [{ name: 'BAD NAME', kind: 'compose', version: '1', stage: 1, spec: { file: 'x' } }] });
    hub.pushRaw(null);
    expect(await hub.command({ id: 'c1', type: 'explode' })).toEqual({ accepted: false, reason: 'invalid payload' });
    expect(await hub.command({ id: 'c2', type: 'deploy-stage', stage: 1 })).toMatchObject({ accepted: false, reason: expect.stringMatching(/^unsupported: / ) as string });
    hub.push(desired(5, [comp('api', '5')]));
    await waitFor(() => agent.state.appliedRevision === 5, 5000, 'valid push applied');
    expect(driver.applies().map((c) => c.version)).toEqual(['5']);
    expect(agent.connected).toBe(true);
  });

  it('reports a health change at once and a failed apply with the driver error', async () => {
    const driver = new MemoryDriver();
    const agent = await startAgent(driver);
    hub.push(desired(1, [comp('api', '1')]));
    await waitFor(() => hub.reports.find((r) => r.revision === 1 && r.components[0]?.health === 'healthy'), 5000, 'healthy');
    driver.setHealth('api', { health: 'failed', message: 'exited (1)' });
    const down = await waitFor(() => hub.reports.find((r) => r.components[0]?.health === 'failed'), 5000, 'failed report');
    expect(down.components[0]).toMatchObject({ version: '1', message: 'exited (1)' });
    driver.setHealth('api', undefined);

    driver.failApply('api', 'Error response from daemon: pull access denied for nope', '2');
    hub.push(desired(2, [comp('api', '2')]));
    const failed = await waitFor(
      () => hub.reports.find((r) => r.components[0]?.message?.includes('pull access denied')),
      5000,
      'failed apply report',
    );
    expect(failed).toMatchObject({ revision: 1, components: [{ name: 'api', version: '1', health: 'failed' }] });
    await agent.idle();
    expect(agent.state.appliedRevision).toBe(1);
  });

  it('sends a periodic report even when nothing changes', async () => {
    await startAgent(new MemoryDriver(), config({ statusIntervalMs: 100 }));
    await waitFor(() => hub.reports.length >= 3, 5000, 'periodic reports');
  });

  it('sends host and component usage every metrics interval, each sample once', async () => {
    const driver = new MemoryDriver();
    driver.usage.set('api', { cpuPercent: 12.5, memoryBytes: 2048, restarts: 3 });
    await startAgent(driver, config({ metricsIntervalMs: 100 }));
    await waitFor(() => hub.hellos.length === 1, 5000, 'hello');
    hub.push(desired(1, [comp('api', '1')]));
    const withApi = await waitFor(() => hub.reports.find((r) => r.usage?.components.some((c) => c.name === 'api')), 5000, 'usage with api');
    expect(withApi.usage?.components).toEqual([{ name: 'api', cpuPercent: 12.5, memoryBytes: 2048, restarts: 3 }]);
    expect(withApi.usage?.host?.memoryTotalBytes).toBe(os.totalmem());
    await waitFor(() => hub.reports.filter((r) => r.usage !== undefined).length >= 3, 5000, 'more samples');
    const stamps = hub.reports.flatMap((r) => (r.usage === undefined ? [] : [r.usage.at]));
    expect(new Set(stamps).size).toBe(stamps.length);
  });

  it('sends no usage when the metrics interval is 0', async () => {
    await startAgent(new MemoryDriver(), config({ metricsIntervalMs: 0, statusIntervalMs: 50 }));
    await waitFor(() => hub.reports.length >= 4, 5000, 'periodic reports');
    expect(hub.reports.some((r) => r.usage !== undefined)).toBe(false);
  });

  it('stops gracefully: disconnects and stops reporting', async () => {
    const agent = await startAgent(new MemoryDriver(), config({ statusIntervalMs: 50 }));
    await waitFor(() => hub.connectedCount === 1, 5000, 'connected');
    const started = Date.now();
    await agent.stop();
    expect(Date.now() - started).toBeLessThan(2000);
    await waitFor(() => hub.connectedCount === 0, 5000, 'disconnected');
    const count = hub.reports.length;
    await new Promise((r) => setTimeout(r, 200));
    expect(hub.reports.length).toBe(count);
  });
});

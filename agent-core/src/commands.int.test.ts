import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DesiredComponent, DesiredState } from '@flotilla/protocol';
import { FakeHub, waitFor } from '../test/fake-hub.js';
import { createAgent, type Agent } from './agent.js';
import type { AgentConfig } from './config.js';
import { createLogger } from './logger.js';
import { MemoryDriver } from './testing/memory-driver.js';

/** The command runner inside a real agent, against a test Socket.IO hub. */

const logger = createLogger(process.env.TEST_LOG_LEVEL === undefined ? 'silent' : 'debug');
let dir: string;
let hub: FakeHub;
const agents: Agent[] = [];

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'flotilla-commands-'));
  hub = await FakeHub.start();
});
afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.stop()));
  await hub.close();
  await rm(dir, { recursive: true, force: true });
});

const comp = (name: string, version: string, stage = 1): DesiredComponent => ({ name, kind: 'compose', version, stage, spec: { file: `services: {}\n# ${version}\n` } });
const desired = (revision: number, components: DesiredComponent[]): DesiredState => ({ installationId: 'inst-1', revision, components });

function config(): AgentConfig {
  return { hubUrl: hub.url, agentId: 'agent-1', secret: 'secret-1', stateDir: dir, logLevel: 'silent', statusIntervalMs: 60_000, healthIntervalMs: 50, healthTimeoutMs: 5000 };
}

async function startAgent(driver: MemoryDriver): Promise<Agent> {
  const agent = createAgent(driver, config(), logger, { agentVersion: '1.0.0', backoff: { baseMs: 50, maxMs: 200 }, healthPollMs: 20, ackTimeoutMs: 2000 });
  agents.push(agent);
  await agent.start();
  return agent;
}

/** An agent that applied revision 1 with api and web. */
async function deployed(driver = new MemoryDriver()): Promise<{ agent: Agent; driver: MemoryDriver }> {
  hub.desired = desired(1, [comp('api', '1'), comp('web', '1')]);
  const agent = await startAgent(driver);
  await waitFor(() => agent.state.appliedRevision === 1, 5000, 'apply');
  await agent.idle();
  return { agent, driver };
}

const finalOf = (id: string) => () => hub.progress.find((p) => p.id === id && p.status !== 'running');

describe('commands', () => {
  it('acks a restart at once, runs it and reports running then succeeded with the statuses', async () => {
    const { driver } = await deployed();
    expect(await hub.command({ id: 'r1', type: 'restart', targets: ['web'] })).toEqual({ accepted: true });
    const done = await waitFor(finalOf('r1'), 5000, 'restart result');
    expect(hub.progress.filter((p) => p.id === 'r1').map((p) => p.status)).toEqual(['running', 'succeeded']);
    expect(done).toMatchObject({ message: 'restarted web', components: [{ name: 'api' }, { name: 'web' }] });
    expect(driver.calls.filter((c) => c.op === 'restart').map((c) => c.name)).toEqual(['web']);
  });

  it('reports a failing hook with the driver’s error text and a target it does not run', async () => {
    const { driver } = await deployed();
    driver.failHook('rollback', 'api', 'Error: release has no previous revision');
    await hub.command({ id: 'b1', type: 'rollback', targets: ['api'] });
    expect(await waitFor(finalOf('b1'), 5000, 'rollback result')).toMatchObject({ status: 'failed', message: 'api: Error: release has no previous revision' });
    await hub.command({ id: 'b2', type: 'restart', targets: ['db'] });
    expect(await waitFor(finalOf('b2'), 5000, 'restart result')).toMatchObject({ status: 'failed', message: 'not running on this agent: db' });
  });

  it('refuses what the driver cannot do, and deploy-stage/uninstall, without running anything', async () => {
    const driver = Object.assign(new MemoryDriver(), { rollback: undefined });
    await deployed(driver);
    expect(await hub.command({ id: 'u1', type: 'rollback' })).toEqual({ accepted: false, reason: 'unsupported: the compose agent cannot rollback' });
    expect(await hub.command({ id: 'u2', type: 'uninstall', targets: ['api'] })).toMatchObject({ accepted: false });
    await new Promise((r) => setTimeout(r, 100));
    expect(hub.progress).toEqual([]);
  });

  it('uninstalls: removes every component, reports succeeded with nothing left, and a re-sent desired state brings nothing back', async () => {
    hub.desired = desired(2, [comp('api', '1', 1), comp('web', '1', 2)]);
    const driver = new MemoryDriver();
    const agent = await startAgent(driver);
    await waitFor(() => agent.state.appliedRevision === 2, 5000, 'apply');
    await agent.idle();
    expect(await hub.command({ id: 'un1', type: 'uninstall', revision: 2 })).toEqual({ accepted: true });
    expect(await waitFor(finalOf('un1'), 5000, 'uninstall result')).toMatchObject({ status: 'succeeded', message: 'uninstalled: removed web, api', components: [] });
    expect(driver.calls.filter((c) => c.op === 'remove').map((c) => c.name)).toEqual(['web', 'api']);
    expect(agent.state).toMatchObject({ components: [], uninstalledRevision: 2 });

    await hub.restart(50);
    await waitFor(() => hub.hellos.length === 2, 5000, 'hello after the hub restart');
    await agent.idle();
    expect(driver.applies()).toHaveLength(2);
    expect(driver.running.size).toBe(0);
  });

  it('runs a command delivered twice once, also after an agent restart, and re-sends its result', async () => {
    const { agent, driver } = await deployed();
    await hub.command({ id: 'd1', type: 'restart' });
    await hub.command({ id: 'd1', type: 'restart' });
    await waitFor(finalOf('d1'), 5000, 'restart result');
    await agent.idle();
    expect(driver.calls.filter((c) => c.op === 'restart')).toHaveLength(2); // api and web, once each
    await agent.stop();

    hub.commands = [{ id: 'd1', type: 'restart' }];
    const second = await startAgent(driver);
    await waitFor(() => hub.hellos.length === 2, 5000, 'second hello');
    await second.idle();
    expect(driver.calls.filter((c) => c.op === 'restart')).toHaveLength(2);
    expect(hub.progress.filter((p) => p.id === 'd1' && p.status === 'succeeded')).toHaveLength(1);
  });

  it('sends an unstored result again after the next hello', async () => {
    const { agent } = await deployed();
    hub.progressAnswer = () => ({ error: { code: 'INTERNAL', message: 'database down' } });
    await hub.command({ id: 'x1', type: 'restart' });
    await agent.idle();
    expect(hub.progress).toEqual([]);
    hub.progressAnswer = () => ({ ok: true });
    await hub.restart(50);
    expect(await waitFor(finalOf('x1'), 10_000, 'result after reconnect')).toMatchObject({ status: 'succeeded' });
  });

  it('reports a command taken by an earlier process that stopped before finishing as failed, not running it again', async () => {
    const driver = new MemoryDriver();
    const { agent } = await deployed(driver);
    driver.hookDelayMs = 3000;
    await hub.command({ id: 'k1', type: 'restart', targets: ['api'] });
    await waitFor(() => hub.progress.find((p) => p.id === 'k1' && p.status === 'running'), 5000, 'running');
    hub.progressAnswer = () => ({ error: { code: 'INTERNAL', message: 'down' } }); // the first process's result is lost
    await abandon(agent);
    driver.hookDelayMs = 0;
    hub.progressAnswer = () => ({ ok: true });
    hub.commands = [{ id: 'k1', type: 'restart', targets: ['api'] }];
    await startAgent(driver);
    const result = await waitFor(() => hub.progress.find((p) => p.id === 'k1' && p.status !== 'running'), 10_000, 'k1 result');
    expect(result).toMatchObject({ status: 'failed', message: 'the agent stopped while running this command; it was not run again' });
    expect(driver.calls.filter((c) => c.op === 'restart')).toHaveLength(1);
  });

  it('never runs a command driver call while an apply is in flight', async () => {
    const { agent, driver } = await deployed();
    driver.applyDelayMs = 300;
    driver.hookDelayMs = 100;
    driver.maxConcurrentCalls = 0;
    hub.push(desired(2, [comp('api', '2'), comp('web', '2')]));
    await waitFor(() => driver.applies().length === 3, 5000, 'apply started');
    await hub.command({ id: 'c1', type: 'restart' });
    await hub.command({ id: 'c2', type: 'collect-logs' });
    await waitFor(finalOf('c2'), 10_000, 'logs result');
    await agent.idle();
    expect(driver.maxConcurrentCalls).toBe(1);
  });

  it('redeploy re-applies unchanged specs with force, targets only', async () => {
    const { agent, driver } = await deployed();
    await hub.command({ id: 'rd1', type: 'redeploy', targets: ['api'] });
    expect(await waitFor(finalOf('rd1'), 5000, 'redeploy result')).toMatchObject({ status: 'succeeded', message: 'redeployed api' });
    await agent.idle();
    expect(driver.applies().slice(2)).toEqual([{ op: 'apply', name: 'api', version: '1', installationId: 'inst-1', revision: 1, force: true }]);
    expect(agent.state.appliedRevision).toBe(1);
  });

  it('redeploy reports the apply failure with the driver’s text', async () => {
    const { driver } = await deployed();
    driver.failApply('web', 'Error response from daemon: conflict');
    await hub.command({ id: 'rd2', type: 'redeploy' });
    expect(await waitFor(finalOf('rd2'), 5000, 'redeploy result')).toMatchObject({ status: 'failed', message: 'Error response from daemon: conflict' });
  });

  it('reports drift from the driver’s health, and a redeploy that clears it', async () => {
    const { driver } = await deployed();
    driver.setHealth('api', { health: 'healthy', drift: { appliedRevision: 5, actualRevision: 7 } });
    const drifted = await waitFor(() => hub.reports.find((r) => r.components.find((c) => c.name === 'api')?.drift !== undefined), 5000, 'drift report');
    expect(drifted.components.find((c) => c.name === 'api')?.drift).toEqual({ appliedRevision: 5, actualRevision: 7 });
    await hub.command({ id: 'rd3', type: 'redeploy', targets: ['api'] });
    await waitFor(finalOf('rd3'), 5000, 'redeploy result');
    const cleared = hub.reports.length;
    await waitFor(() => hub.reports.slice(cleared - 1).find((r) => r.components.every((c) => c.drift === undefined)), 5000, 'drift cleared');
  });

  it('collect-logs sends chunks per component, the last one done', async () => {
    const { driver } = await deployed();
    driver.logLines.set('api', Array.from({ length: 1500 }, (_, i) => `api ${i}`));
    await hub.command({ id: 'l1', type: 'collect-logs', lines: 1200 });
    expect(await waitFor(finalOf('l1'), 5000, 'logs result')).toMatchObject({ status: 'succeeded', message: 'collected 1202 log lines from api, web' });
    expect(hub.logs.map((c) => [c.component, c.lines.length, c.done ?? false])).toEqual([
      ['api', 1000, false],
      ['api', 200, false],
      ['web', 2, true],
    ]);
    expect(hub.logs[0]?.lines[0]).toBe('api 300');
  });

  it('self-update starts the replacement, reports succeeded and asks to exit', async () => {
    const { agent, driver } = await deployed();
    let exited: string | undefined;
    void agent.exitRequested.then((reason) => {
      exited = reason;
    });
    expect(await hub.command({ id: 's1', type: 'self-update', image: 'flotilla/agent-compose:2.0.0', agentVersion: '2.0.0' })).toEqual({ accepted: true });
    expect(await waitFor(finalOf('s1'), 5000, 'self-update result')).toMatchObject({ status: 'succeeded', message: 'replacement agent started with flotilla/agent-compose:2.0.0' });
    await waitFor(() => exited, 5000, 'exit request');
    expect(driver.selfUpdates).toEqual(['flotilla/agent-compose:2.0.0']);
  });
});

/** Stops an agent without waiting for its in-flight driver call (a crash, as far as the journal knows). */
async function abandon(agent: Agent): Promise<void> {
  await Promise.race([agent.stop(), new Promise((r) => setTimeout(r, 200))]);
}

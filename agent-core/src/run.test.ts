import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeHub, waitFor } from '../test/fake-hub.js';
import { createLogger } from './logger.js';
import { runAgent, runAgentCli } from './run.js';
import { MemoryDriver } from './testing/memory-driver.js';

const logger = createLogger('silent');
let dir: string;
let hub: FakeHub;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'flotilla-run-'));
  hub = await FakeHub.start();
});
afterEach(async () => {
  await hub.close();
  await rm(dir, { recursive: true, force: true });
});

describe('runAgent', () => {
  it('runs until the signal, then stops gracefully and resolves', async () => {
    const driver = new MemoryDriver();
    const config = {
      hubUrl: hub.url,
      agentId: 'agent-1',
      secret: 'secret-1',
      stateDir: dir,
      logLevel: 'silent' as const,
      statusIntervalMs: 60_000,
      healthIntervalMs: 1000,
      healthTimeoutMs: 5000,
    };
    hub.desired = { installationId: 'i', revision: 1, components: [{ name: 'a', kind: 'compose', version: '1', stage: 1, spec: { file: 'x' } }] };
    let done = false;
    const running = runAgent(driver, config, logger, { signals: ['SIGUSR2'] }).then(() => {
      done = true;
    });
    await waitFor(() => driver.applies().length === 1 && hub.connectedCount === 1, 5000, 'agent running');
    expect(done).toBe(false);
    const started = Date.now();
    process.kill(process.pid, 'SIGUSR2');
    await running;
    expect(Date.now() - started).toBeLessThan(10_000);
    await waitFor(() => hub.connectedCount === 0, 5000, 'disconnected');
    expect(process.listenerCount('SIGUSR2')).toBe(0);
  });

  it('keeps a heartbeat that the healthcheck command reads while it runs, and removes it on stop', async () => {
    const config = { hubUrl: hub.url, agentId: 'agent-1', secret: 'secret-1', stateDir: dir, logLevel: 'silent' as const, statusIntervalMs: 60_000, healthIntervalMs: 1000, healthTimeoutMs: 5000 };
    const healthcheck = () => runAgentCli({ name: 'test-agent', agentVersion: '1', createDriver: () => new MemoryDriver(), argv: ['healthcheck', '--state-dir', dir], env: {} });
    expect(await healthcheck()).toBe(1);
    const running = runAgent(new MemoryDriver(), config, logger, { signals: ['SIGUSR2'] });
    await waitFor(() => hub.connectedCount === 1, 5000, 'connected');
    await expect.poll(healthcheck).toBe(0);
    process.kill(process.pid, 'SIGUSR2');
    await running;
    expect(await healthcheck()).toBe(1);
  });

  it('rejects when the driver cannot start', async () => {
    const driver = Object.assign(new MemoryDriver(), { init: () => Promise.reject(new Error('docker not found')) });
    const config = { hubUrl: hub.url, agentId: 'a', secret: 's', stateDir: dir, logLevel: 'silent' as const, statusIntervalMs: 1000, healthIntervalMs: 1000, healthTimeoutMs: 1000 };
    await expect(runAgent(driver, config, logger, { signals: ['SIGUSR2'] })).rejects.toThrow('docker not found');
    expect(process.listenerCount('SIGUSR2')).toBe(0);
  });
});

describe('runAgentCli', () => {
  it('exits 2 with a message naming the missing settings', async () => {
    const code = await runAgentCli({ name: 'test-agent', agentVersion: '1', createDriver: () => new MemoryDriver(), argv: [], env: {} });
    expect(code).toBe(2);
  });
});

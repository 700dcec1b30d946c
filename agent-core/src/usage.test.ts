import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { UsageSample } from '@flotilla/protocol';
import { createLogger } from './logger.js';
import { MemoryDriver } from './testing/memory-driver.js';
import { collectUsage, cpuPercentBetween, cpuTimes, diskFromStatfs, HostSampler } from './usage.js';

const times = (user: number, idle: number) => ({ times: { user, nice: 0, sys: 0, idle, irq: 0 } });
const ctx = { installationId: 'i', logger: createLogger('silent'), signal: new AbortController().signal };
const comp = (name: string) => ({ name, kind: 'compose' as const, version: '1', stage: 1, spec: { file: 'services: {}' } });

describe('host usage', () => {
  it('sums CPU times over cores and measures the busy share between two readings', () => {
    const before = cpuTimes([times(100, 900), times(200, 800)]);
    expect(before).toEqual({ busy: 300, total: 2000 });
    const after = cpuTimes([times(400, 1000), times(300, 1100)]);
    // busy +400 of total +800
    expect(cpuPercentBetween(before, after)).toBe(50);
    expect(cpuPercentBetween(after, after)).toBe(0);
  });

  it('computes disk usage like df: root-reserved blocks are neither used nor available', () => {
    expect(diskFromStatfs({ bsize: 4096, blocks: 1000, bfree: 300, bavail: 250 })).toEqual({ used: 700 * 4096, total: 950 * 4096 });
  });

  it('samples this host with figures that fit the protocol', async () => {
    const host = await new HostSampler(os.tmpdir()).sample();
    expect(host.memoryTotalBytes).toBe(os.totalmem());
    expect(host.memoryUsedBytes).toBeGreaterThan(0);
    expect(host.diskTotalBytes).toBeGreaterThan(host.diskUsedBytes);
    expect(host.cpuPercent).toBeGreaterThanOrEqual(0);
    expect(host.cpuPercent).toBeLessThanOrEqual(100);
  });
});

describe('collectUsage', () => {
  it('keeps the driver figures of known components only, sorted, and validates', async () => {
    const driver = new MemoryDriver();
    driver.running.set('web', comp('web'));
    driver.running.set('api', comp('api'));
    driver.usage.set('web', { cpuPercent: 150.5, memoryBytes: 5e9, restarts: 2 });
    const sample = await collectUsage(new HostSampler(os.tmpdir()), driver, [comp('web'), comp('api')], ctx, new Date('2026-12-05T12:00:00Z'));
    expect(sample.at).toBe('2026-12-05T12:00:00.000Z');
    expect(sample.components).toEqual([
      { name: 'api', cpuPercent: 1, memoryBytes: 1024 * 1024, restarts: 0 },
      { name: 'web', cpuPercent: 150.5, memoryBytes: 5e9, restarts: 2 },
    ]);
    expect(sample.unavailable).toBeUndefined();
    expect(UsageSample.parse(sample)).toEqual(sample);
  });

  it('says why component metrics are missing: driver without the hook, driver that cannot, driver that fails', async () => {
    const host = new HostSampler(os.tmpdir());
    const driver = new MemoryDriver();
    driver.running.set('web', comp('web'));
    driver.metricsUnavailable = 'the cluster has no metrics API';
    expect(await collectUsage(host, driver, [comp('web')], ctx)).toMatchObject({ components: [], unavailable: 'the cluster has no metrics API' });

    driver.metricsUnavailable = undefined;
    driver.metrics = () => Promise.reject(new Error('docker: daemon gone'));
    const failed = await collectUsage(host, driver, [comp('web')], ctx);
    expect(failed.unavailable).toBe('component metrics failed: docker: daemon gone');
    expect(failed.host).toBeDefined();

    const bare = { kind: 'helm' as const, runtimeInfo: () => Promise.resolve(''), apply: () => Promise.resolve(), remove: () => Promise.resolve(), health: () => Promise.resolve(new Map()) };
    expect((await collectUsage(host, bare, [comp('web')], ctx)).unavailable).toBe('the helm driver does not report component metrics');
  });
});

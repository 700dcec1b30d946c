import { describe, expect, it } from 'vitest';
import { parseOptions, UsageError } from './options.js';

describe('parseOptions', () => {
  it('defaults to the full run with every scenario', () => {
    const o = parseOptions([], '/out');
    expect(o).toMatchObject({ quick: false, agents: 10_000, idleSeconds: 60, outDir: '/out', pollIntervalMs: 5000 });
    expect(o.scenarios).toEqual(['connect', 'fanout', 'ingest', 'idle', 'reconnect', 'multinode', 'outage', 'metrics']);
    expect(o.metricsSeconds).toBe(60);
    expect(o.receiverLatencyMs).toBe(100);
  });

  it('--quick leaves out the minute-long outage and metrics scenarios unless asked for', () => {
    expect(parseOptions(['--quick'], '/out').scenarios).toEqual(['connect', 'fanout', 'ingest', 'idle', 'reconnect', 'multinode']);
    const o = parseOptions(['--quick', '--scenarios', 'metrics,outage', '--metrics-seconds', '45'], '/out');
    expect(o.scenarios).toEqual(['outage', 'metrics']);
    expect(o.metricsSeconds).toBe(45);
    expect(parseOptions(['--quick'], '/out').metricsSeconds).toBe(30);
  });

  it('--quick shrinks the run; explicit flags still win; scenarios keep their canonical order', () => {
    const o = parseOptions(['--quick', '--agents', '300', '--scenarios', 'ingest,connect'], '/out');
    expect(o).toMatchObject({ quick: true, agents: 300, idleSeconds: 10 });
    expect(o.scenarios).toEqual(['connect', 'ingest']);
  });

  it('refuses bad input with a clear message', () => {
    expect(() => parseOptions(['--agents', 'many'], '/o')).toThrow(/--agents must be an integer/);
    expect(() => parseOptions(['--agents', '0'], '/o')).toThrow(UsageError);
    expect(() => parseOptions(['--scenarios', 'fanout,warp'], '/o')).toThrow(/unknown scenario\(s\) warp/);
    expect(() => parseOptions(['--frobnicate'], '/o')).toThrow(UsageError);
    expect(() => parseOptions(['--receiver-latency-ms=-1'], '/o')).toThrow(/--receiver-latency-ms must be an integer from 0 to 10000/);
    expect(parseOptions(['--receiver-latency-ms', '0'], '/o').receiverLatencyMs).toBe(0);
  });
});

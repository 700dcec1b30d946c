import { describe, expect, it } from 'vitest';
import { cpuQuantityPercent, isMetricsApiMissing, memoryQuantityBytes, parseTopPods, podSelector, PodList, sumPods } from './pod-metrics.js';

describe('pod metrics', () => {
  it('reads CPU and memory quantities', () => {
    expect(cpuQuantityPercent('250m')).toBe(25);
    expect(cpuQuantityPercent('2')).toBe(200);
    expect(cpuQuantityPercent('1500000n')).toBe(0.15);
    expect(memoryQuantityBytes('34Mi')).toBe(34 * 2 ** 20);
    expect(memoryQuantityBytes('1G')).toBe(1e9);
    expect(memoryQuantityBytes('512')).toBe(512);
    expect(() => cpuQuantityPercent('fast')).toThrow(/unreadable CPU quantity/);
    expect(() => memoryQuantityBytes('3Zz')).toThrow(/unreadable memory quantity/);
  });

  it('parses kubectl top pods and selects the releases by instance label', () => {
    expect(parseTopPods('web-7d9f-abc   12m   34Mi\nweb-7d9f-def   3m    10Mi\n\n')).toEqual(
      new Map([
        ['web-7d9f-abc', { cpuPercent: 1.2, memoryBytes: 34 * 2 ** 20 }],
        ['web-7d9f-def', { cpuPercent: 0.3, memoryBytes: 10 * 2 ** 20 }],
      ]),
    );
    expect(podSelector(['flt-a-web', 'flt-a-db'])).toBe('app.kubernetes.io/instance in (flt-a-web,flt-a-db)');
  });

  it('recognises a cluster without a metrics API', () => {
    expect(isMetricsApiMissing('error: Metrics API not available')).toBe(true);
    expect(isMetricsApiMissing('error: You must be logged in to the server (Unauthorized)')).toBe(false);
  });

  it('sums pods per component with their restarts', () => {
    const pods = PodList.parse({
      items: [
        { metadata: { name: 'a', labels: { 'app.kubernetes.io/instance': 'flt-i-web' } }, status: { containerStatuses: [{ restartCount: 1 }, { restartCount: 2 }] } },
        { metadata: { name: 'b', labels: { 'app.kubernetes.io/instance': 'flt-i-web' } }, status: {} },
        { metadata: { name: 'c', labels: { 'app.kubernetes.io/instance': 'someone-else' } } },
      ],
    });
    const top = new Map([['a', { cpuPercent: 1.25, memoryBytes: 100 }], ['b', { cpuPercent: 2, memoryBytes: 50 }]]);
    expect(sumPods(pods, top, new Map([['flt-i-web', 'web']]))).toEqual([{ name: 'web', cpuPercent: 3.25, memoryBytes: 150, restarts: 3 }]);
  });
});

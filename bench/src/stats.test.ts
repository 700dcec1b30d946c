import { describe, expect, it } from 'vitest';
import { distribution, percentile, pollingLatency } from './stats.js';

describe('stats', () => {
  it('nearest-rank percentiles', () => {
    const v = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(v, 50)).toBe(50);
    expect(percentile(v, 99)).toBe(99);
    expect(percentile(v, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it('summarises unsorted samples', () => {
    expect(distribution([30, 10, 20])).toEqual({ count: 3, p50: 20, p99: 30, max: 30, mean: 20 });
    expect(distribution([]).count).toBe(0);
  });

  it('models a polling peer', () => {
    expect(pollingLatency(5000)).toEqual({ p50: 2500, p99: 4950, max: 5000, mean: 2500 });
  });
});

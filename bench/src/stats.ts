/** Summary of a latency sample, in the sample's unit (ms here). */
export interface Distribution {
  count: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentile of an ascending-sorted sample (p in [0, 100]). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] ?? Number.NaN;
}

export function distribution(values: readonly number[]): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  const sum = sorted.reduce((s, v) => s + v, 0);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.length === 0 ? Number.NaN : (sorted[sorted.length - 1] ?? Number.NaN),
    mean: sorted.length === 0 ? Number.NaN : sum / sorted.length,
  };
}

/**
 * The latency a client polling every `periodMs` sees for a change at a uniformly random moment:
 * uniform on [0, period], so p50 = period / 2 and p99 = 0.99 · period (request time excluded).
 */
export function pollingLatency(periodMs: number): Pick<Distribution, 'p50' | 'p99' | 'max' | 'mean'> {
  return { p50: periodMs / 2, p99: periodMs * 0.99, max: periodMs, mean: periodMs / 2 };
}

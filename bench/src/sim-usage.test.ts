import { StatusReport } from '@flotilla/protocol';
import { describe, expect, it } from 'vitest';
import { simUsage } from './sim-usage.js';

describe('simUsage', () => {
  it('is a report the hub accepts: host and one component, within the protocol bounds at the extremes', () => {
    for (const r of [() => 0, () => 0.999_999, Math.random]) {
      const usage = simUsage(new Date('2026-12-06T03:00:00Z'), r);
      const parsed = StatusReport.safeParse({ revision: 1, components: [], usage });
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
      expect(usage.host?.memoryUsedBytes).toBeLessThanOrEqual(usage.host?.memoryTotalBytes ?? 0);
      expect(usage.components.map((c) => c.name)).toEqual(['web']);
    }
    expect(simUsage(new Date('2026-12-06T03:00:00Z')).at).toBe('2026-12-06T03:00:00.000Z');
  });
});

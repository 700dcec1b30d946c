import { describe, expect, it } from 'vitest';
import type { MetricsResponse } from '@flotilla/protocol';
import { componentChart, hostChart } from './metrics-chart';

const m: MetricsResponse = {
  installationId: 'i',
  window: '1h',
  from: '2026-12-05T11:00:00.000Z',
  to: '2026-12-05T12:00:00.000Z',
  stepSeconds: 0,
  unavailable: null,
  host: [{ at: '2026-12-05T11:00:30.000Z', cpuPercent: 12, memoryUsedBytes: 4, memoryTotalBytes: 16, diskUsedBytes: 1, diskTotalBytes: null }],
  components: [
    { name: 'web', points: [{ at: '2026-12-05T11:00:30.000Z', cpuPercent: 50, memoryBytes: 2 ** 21, restarts: 0 }, { at: '2026-12-05T11:01:00.000Z', cpuPercent: 70, memoryBytes: 2 ** 20, restarts: 0 }] },
    { name: 'db', points: [{ at: '2026-12-05T11:01:00.000Z', cpuPercent: 5, memoryBytes: 2 ** 22, restarts: 1 }] },
  ],
};

describe('metrics charts', () => {
  it('turns host points into percent series', () => {
    expect(hostChart(m)).toEqual({ labels: ['CPU %', 'Memory %', 'Disk %'], data: [[Date.parse('2026-12-05T11:00:30Z') / 1000], [12], [25], [null]] });
  });

  it('aligns components on one time axis with gaps', () => {
    const t0 = Date.parse('2026-12-05T11:00:30Z') / 1000;
    expect(componentChart(m, 'cpuPercent')).toEqual({ labels: ['web', 'db'], data: [[t0, t0 + 30], [50, 70], [null, 5]] });
    expect(componentChart(m, 'memoryMiB').data.slice(1)).toEqual([[2, 1], [null, 4]]);
  });
});

import type { MetricsResponse, MetricsWindow } from '@flotilla/protocol';

export const METRICS_WINDOWS: { window: MetricsWindow; label: string }[] = [
  { window: '1h', label: '1 hour' },
  { window: '24h', label: '24 hours' },
  { window: '7d', label: '7 days' },
  { window: '30d', label: '30 days' },
];

/** One chart's data as uPlot takes it: x in Unix seconds, then one array per series (null = no point). */
export interface ChartData {
  labels: string[];
  data: (number | null)[][];
}

const seconds = (iso: string) => Date.parse(iso) / 1000;
const percent = (used: number | null, total: number | null) => (used === null || total === null || total <= 0 ? null : Math.round((used / total) * 1000) / 10);

/** Host CPU, memory and disk, each in percent. */
export function hostChart(m: MetricsResponse): ChartData {
  return {
    labels: ['CPU %', 'Memory %', 'Disk %'],
    data: [m.host.map((p) => seconds(p.at)), m.host.map((p) => p.cpuPercent), m.host.map((p) => percent(p.memoryUsedBytes, p.memoryTotalBytes)), m.host.map((p) => percent(p.diskUsedBytes, p.diskTotalBytes))],
  };
}

/**
 * One series per component on a shared time axis (components report at the same instants; a
 * component missing at one gets null, a gap).
 */
export function componentChart(m: MetricsResponse, field: 'cpuPercent' | 'memoryMiB'): ChartData {
  const xs = [...new Set(m.components.flatMap((c) => c.points.map((p) => p.at)))].sort();
  const index = new Map(xs.map((x, i) => [x, i]));
  const series = m.components.map((c) => {
    const values: (number | null)[] = xs.map(() => null);
    for (const p of c.points) {
      const i = index.get(p.at);
      if (i !== undefined) values[i] = field === 'cpuPercent' ? p.cpuPercent : Math.round((p.memoryBytes / 2 ** 20) * 10) / 10;
    }
    return values;
  });
  return { labels: m.components.map((c) => c.name), data: [xs.map(seconds), ...series] };
}

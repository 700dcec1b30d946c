import { z } from 'zod';
import { IsoDate } from '../common.js';

/**
 * How far back `GET /installations/:id/metrics` reaches; each window has its resolution: 1h raw
 * samples (30 s), 24h 5-minute averages of the raw samples, 7d the 5-minute roll-ups, 30d the hourly ones.
 */
export const MetricsWindow = z.enum(['1h', '24h', '7d', '30d']);
export type MetricsWindow = z.infer<typeof MetricsWindow>;
export const MetricsQuery = z.object({ window: MetricsWindow.default('1h') });

export const HostMetricsPoint = z.object({
  at: IsoDate,
  cpuPercent: z.number(),
  memoryUsedBytes: z.number(),
  memoryTotalBytes: z.number().nullable(),
  diskUsedBytes: z.number().nullable(),
  diskTotalBytes: z.number().nullable(),
});
export type HostMetricsPoint = z.infer<typeof HostMetricsPoint>;

export const ComponentMetricsPoint = z.object({
  at: IsoDate,
  /** Percent of one core. */
  cpuPercent: z.number(),
  memoryBytes: z.number(),
  /** Restarts counted by the runtime (a roll-up: the highest count in the bucket). */
  restarts: z.number().int().nullable(),
});
export type ComponentMetricsPoint = z.infer<typeof ComponentMetricsPoint>;

export const MetricsResponse = z.object({
  installationId: z.string(),
  window: MetricsWindow,
  from: IsoDate,
  to: IsoDate,
  /** Seconds between points (0: raw samples, as the agent sent them). */
  stepSeconds: z.number().int(),
  /** Oldest first; points are stamped with the start of their bucket. */
  host: z.array(HostMetricsPoint),
  components: z.array(z.object({ name: z.string(), points: z.array(ComponentMetricsPoint) })),
  /** Why the agent's latest sample had no component figures (e.g. the cluster has no metrics API); null when it had. */
  unavailable: z.string().nullable(),
});
export type MetricsResponse = z.infer<typeof MetricsResponse>;

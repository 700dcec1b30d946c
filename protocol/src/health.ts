import { z } from 'zod';

export const HealthzResponse = z.object({ status: z.literal('ok') });
export type HealthzResponse = z.infer<typeof HealthzResponse>;

export const CheckResult = z.object({
  status: z.enum(['ok', 'failing']),
  latencyMs: z.number(),
  error: z.string().optional(),
});
export type CheckResult = z.infer<typeof CheckResult>;

/** `GET /readyz`: 200 when every check is ok, 503 otherwise. */
export const ReadyzResponse = z.object({
  status: z.enum(['ok', 'failing']),
  /** `eventLoop.latencyMs`: the longest event-loop delay of the last second. */
  checks: z.object({ database: CheckResult, queue: CheckResult, adapter: CheckResult, eventLoop: CheckResult }),
});
export type ReadyzResponse = z.infer<typeof ReadyzResponse>;

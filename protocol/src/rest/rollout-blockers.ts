import { z } from 'zod';
import { IsoDate } from '../common.js';

/**
 * What an unfinished rollout target waits for, in words and in facts (`GET /rollouts/:id`, live
 * `rollout:progress`): its customer's approval (`by` whom), its maintenance window (opening at
 * `until`, in `timeZone`), its agent (offline `since`, skipped at `until`), its stage's health
 * (`failing` components; the stage fails at `until`), the previous wave's soak (until `until`), an
 * earlier wave, a free slot (maxParallel), the rollout being paused, its release on hold, or the
 * rollout stopping (`rollback` past maxFailures: it will not start).
 */
export const TargetBlocker = z.object({
  reason: z.enum(['approval', 'window', 'agent', 'health', 'soak', 'wave', 'slot', 'paused', 'release', 'stopping']),
  /** The whole explanation as a sentence, e.g. "waits for its maintenance window, which opens at 2026-12-06T08:05:00.000Z (America/New_York)". */
  message: z.string(),
  since: IsoDate.nullable(),
  until: IsoDate.nullable(),
  by: z.string().nullable(),
  timeZone: z.string().nullable(),
  failing: z.array(z.object({ name: z.string(), health: z.string(), message: z.string().nullable() })),
});
export type TargetBlocker = z.infer<typeof TargetBlocker>;

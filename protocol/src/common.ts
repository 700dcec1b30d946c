import { z } from 'zod';

export const Uuid = z.uuid();
export const IsoDate = z.iso.datetime({ offset: true });

export const Health = z.enum(['healthy', 'progressing', 'degraded', 'failed', 'stopped', 'unknown']);
export type Health = z.infer<typeof Health>;

export const AgentKind = z.enum(['compose', 'helm']);
export type AgentKind = z.infer<typeof AgentKind>;

/** `?limit&cursor` of every list route. */
export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().min(1).max(200).optional(),
});
export type PageQuery = z.infer<typeof PageQuery>;

export function Page<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

/** `{items}`: a list answered whole (small, bounded lists). */
export function Items<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item) });
}

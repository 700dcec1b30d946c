import { z } from 'zod';

/*
 * Values every schema accepts must also be values PostgreSQL stores: a payload that parses and
 * then fails in the database is a 500 instead of a 400. The types below carry storage's limits.
 */

/** No U+0000 (text and jsonb refuse it) and no unpaired UTF-16 surrogate (jsonb refuses `\ud800`). */
// eslint-disable-next-line no-control-regex -- U+0000 is exactly what PostgreSQL refuses
const STORABLE = /^[^\u0000\uD800-\uDFFF]*$/u;

/** Free text of at most `max` characters that PostgreSQL stores as given. Chain `.trim().min(1)` for names. */
export function text(max: number) {
  return z.string().max(max).regex(STORABLE, 'must not contain U+0000 or unpaired surrogate characters');
}

/** Whether PostgreSQL stores `value` as given (the test behind text()). */
export function isStorableText(value: string): boolean {
  return STORABLE.test(value);
}

/**
 * Makes text from outside (container output, host names) storable: U+0000 and unpaired surrogates
 * (e.g. an emoji cut in half) become U+FFFD. Agents send what they observe through this.
 */
export function storableText(value: string): string {
  // eslint-disable-next-line no-control-regex -- U+0000 is exactly what PostgreSQL refuses
  return value.replace(/\u0000|[\uD800-\uDFFF]/gu, '\uFFFD');
}

/** An integer column (`integer`): what PostgreSQL's int4 holds. */
export const Int32 = z.int32();

export const Uuid = z.uuid();

/** A component's name within an installation (the application's name, slugged): also the compose project / helm release suffix. */
/** An environment variable name, as POSIX shells and `docker compose` interpolation accept it. */
export const EnvName = z.string().max(200).regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name: letters, digits and "_", not starting with a digit');

export const ComponentName = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'a component name: lowercase letters, digits, "-" and "_", at most 63');

/** Instants PostgreSQL stores and JavaScript prints back in the same form (years 1 to 9999, UTC). */
const MIN_INSTANT = Date.parse('0001-01-01T00:00:00Z');
const MAX_INSTANT = Date.parse('9999-12-31T23:59:59.999Z');
export const IsoDate = z.iso.datetime({ offset: true }).refine((s) => {
  const t = Date.parse(s);
  return t >= MIN_INSTANT && t <= MAX_INSTANT;
}, 'must be between the years 1 and 9999 (UTC)');

export const Health = z.enum(['healthy', 'progressing', 'degraded', 'failed', 'stopped', 'unknown']);
export type Health = z.infer<typeof Health>;

export const AgentKind = z.enum(['compose', 'helm']);
export type AgentKind = z.infer<typeof AgentKind>;

/**
 * Where a list page ends: the last row's `created_at` to the microsecond (PostgreSQL's precision;
 * a JavaScript Date would cut it to the millisecond and skip or repeat rows created within one) and
 * its id, which orders rows created at the same instant.
 */
export const PageKey = z.object({ createdAt: IsoDate, id: Uuid });
export type PageKey = z.infer<typeof PageKey>;

const base64Url = (s: string) => btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

export function encodePageCursor(key: PageKey): string {
  return base64Url(JSON.stringify([key.createdAt, key.id]));
}

/** A `nextCursor` as a client passes it back, decoded and checked, so a bogus one is a 400 and never reaches SQL. */
export const PageCursor = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9_-]+$/, 'not a cursor: pass back the nextCursor of the previous page')
  .transform((cursor, ctx) => {
    try {
      const parsed: unknown = JSON.parse(atob(cursor.replace(/-/g, '+').replace(/_/g, '/')));
      if (Array.isArray(parsed) && parsed.length === 2) return { createdAt: parsed[0] as unknown, id: parsed[1] as unknown };
    } catch {
      // reported below
    }
    ctx.addIssue({ code: 'custom', message: 'not a cursor: pass back the nextCursor of the previous page' });
    return z.NEVER;
  })
  .pipe(PageKey);

/** `?limit&cursor` of every list route. */
export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: PageCursor.optional(),
});
export type PageQuery = z.infer<typeof PageQuery>;

/** `?before=<id>` of the timelines paged by a `bigint` id (events, audit): newest first, older than `before`. */
export const BeforeId = z.coerce.number().int().positive();

export function Page<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

/** `{items}`: a list answered whole (small, bounded lists). */
export function Items<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item) });
}

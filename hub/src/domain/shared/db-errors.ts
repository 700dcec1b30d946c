import { AppError } from '../../errors.js';

/** Runs a write; a unique-constraint violation becomes CONFLICT with `message`. */
export async function conflictOnDuplicate<T>(fn: () => Promise<T>, message: string): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError('CONFLICT', message);
    throw err;
  }
}

/** PostgreSQL error codes we turn into domain errors. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  return pgCode(err) === '23505' && (constraint === undefined || (err as { constraint?: string }).constraint === constraint);
}

export function isForeignKeyViolation(err: unknown): boolean {
  return pgCode(err) === '23503';
}

/** invalid_text_representation: e.g. a malformed uuid in a path parameter. */
export function isInvalidText(err: unknown): boolean {
  return pgCode(err) === '22P02';
}

function pgCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids in paths are uuids; anything else cannot exist, so it is simply not found. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

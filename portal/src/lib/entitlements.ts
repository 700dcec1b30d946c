import type { CreateEntitlementBody, Entitlement } from '@flotilla/protocol';
import type { Parsed } from './identity-forms';

export interface EntitlementForm {
  trackId: string;
  /** A semver range, e.g. `>=1.0.0 <3.0.0` or `^2`; blank = every version. */
  versionRange: string;
  /** `YYYY-MM-DD` from a date input; blank = never expires. The entitlement ends at 00:00 UTC that day. */
  expiresOn: string;
}

/** `2025-06-30` → `2025-06-30T00:00:00.000Z`, or null for anything that is not a real calendar date. */
export function dateToIso(date: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return null;
  const at = new Date(`${date}T00:00:00.000Z`);
  return Number.isNaN(at.getTime()) || at.toISOString().slice(0, 10) !== date ? null : at.toISOString();
}

/** The `POST /entitlements` body for a customer, or what is wrong with the form. `now` is injected. */
export function buildEntitlementBody(customerId: string, form: EntitlementForm, now: number): Parsed<CreateEntitlementBody> {
  if (!form.trackId) return { ok: false, message: 'Choose a track' };
  const body: CreateEntitlementBody = { customerId, trackId: form.trackId };
  const range = form.versionRange.trim();
  if (range) body.versionRange = range;
  const expires = form.expiresOn.trim();
  if (expires) {
    const iso = dateToIso(expires);
    if (!iso) return { ok: false, message: 'Expires on must be a date (YYYY-MM-DD)' };
    if (Date.parse(iso) <= now) return { ok: false, message: 'Expires on must be in the future' };
    body.expiresAt = iso;
  }
  return { ok: true, value: body };
}

/** Whether the entitlement still lets the customer see its track at `now`. */
export function isExpired(e: Pick<Entitlement, 'expiresAt'>, now: number): boolean {
  return e.expiresAt !== null && Date.parse(e.expiresAt) <= now;
}

/** `null` → `every version`; otherwise the range as written. */
export function describeRange(range: string | null): string {
  return range === null || range.trim() === '' ? 'every version' : range;
}

import type { CreateInviteBody, CreateTokenBody, Membership } from '@flotilla/protocol';
import type { Role } from './roles';

/** `{ok: true, value}` or a message to show next to the form. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/** The role to keep selected when the options change: the current one if still offered, else the weakest. */
export function keepRole(current: string, options: readonly Role[]): Role | '' {
  if ((options as readonly string[]).includes(current)) return current as Role;
  return options.at(-1) ?? '';
}

export interface InviteForm {
  email: string;
  role: string;
  /** '' = the vendor team (no customer). */
  customerId: string;
}

export function buildInviteBody(form: InviteForm): Parsed<CreateInviteBody> {
  const email = form.email.trim();
  if (!email) return { ok: false, message: 'Enter the email address to invite' };
  if (!form.role) return { ok: false, message: 'Choose a role' };
  const body: CreateInviteBody = { email, role: form.role as Role };
  if (form.customerId) body.customerId = form.customerId;
  return { ok: true, value: body };
}

/** An optional whole number of days in [min, max]; blank means "not set". */
export function parseDays(text: string | number, max: number, min = 1): Parsed<number | undefined> {
  const raw = String(text).trim();
  if (raw === '') return { ok: true, value: undefined };
  if (!/^\d+$/.test(raw)) return { ok: false, message: `Expires in days must be a whole number from ${min} to ${max}` };
  const days = Number(raw);
  if (days < min || days > max) return { ok: false, message: `Expires in days must be a whole number from ${min} to ${max}` };
  return { ok: true, value: days };
}

export const TOKEN_MAX_DAYS = 3650;

export interface TokenForm {
  name: string;
  role: string;
  /** Text of the number input; blank = never expires. */
  expiresInDays: string | number;
}

/**
 * The `POST /tokens` body. The token acts in `membership` (the one the header shows), named
 * explicitly so the hub does not have to guess among several organisations.
 */
export function buildTokenBody(form: TokenForm, membership: Membership | undefined): Parsed<CreateTokenBody> {
  const name = form.name.trim();
  if (!name) return { ok: false, message: 'Give the token a name' };
  const days = parseDays(form.expiresInDays, TOKEN_MAX_DAYS);
  if (!days.ok) return days;
  const body: CreateTokenBody = { name };
  if (form.role) body.role = form.role as Role;
  if (days.value !== undefined) body.expiresInDays = days.value;
  if (membership) {
    body.vendorId = membership.vendorId;
    if (membership.customerId !== null) body.customerId = membership.customerId;
  }
  return { ok: true, value: body };
}

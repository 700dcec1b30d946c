import { z } from 'zod';
import { IsoDate, text } from '../common.js';
import { Email, Password, VendorRole } from './auth.js';

const Role = VendorRole;

export const ApiToken = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  vendorId: z.string(),
  customerId: z.string().nullable(),
  role: z.string(),
  createdAt: IsoDate,
  expiresAt: IsoDate.nullable(),
  lastUsedAt: IsoDate.nullable(),
});
export type ApiToken = z.infer<typeof ApiToken>;

export const CreateTokenBody = z.object({
  name: text(100).trim().min(1),
  /** At most the owner's role in that organisation; defaults to it. */
  role: Role.optional(),
  /** The organisation the token acts in; defaults to the caller's first (or X-Flotilla-Vendor). */
  vendorId: z.uuid().optional(),
  customerId: z.uuid().optional(),
  expiresInDays: z.number().int().min(1).max(3650).optional(),
});
export type CreateTokenBody = z.input<typeof CreateTokenBody>;
/** The token itself appears only in this response. */
export const CreatedToken = ApiToken.extend({ token: z.string() });
export type CreatedToken = z.infer<typeof CreatedToken>;

export const SessionInfo = z.object({ id: z.string(), createdAt: IsoDate, expiresAt: IsoDate, ip: z.string().nullable(), userAgent: z.string().nullable(), current: z.boolean() });
export type SessionInfo = z.infer<typeof SessionInfo>;

export const Invite = z.object({
  id: z.string(),
  email: z.string(),
  role: z.string(),
  vendorId: z.string(),
  customerId: z.string().nullable(),
  createdAt: IsoDate,
  expiresAt: IsoDate,
  acceptedAt: IsoDate.nullable(),
});
export type Invite = z.infer<typeof Invite>;

export const CreateInviteBody = z.object({
  email: Email,
  role: Role,
  /** Invite into a customer (its first user, or more users by the customer's admin). */
  customerId: z.uuid().optional(),
  expiresInDays: z.number().int().min(1).max(30).optional(),
});
export type CreateInviteBody = z.input<typeof CreateInviteBody>;
export const CreatedInvite = Invite.extend({ inviteUrl: z.string(), mailed: z.boolean() });
export type CreatedInvite = z.infer<typeof CreatedInvite>;

export const AcceptInviteBody = z.object({ name: text(200).trim().min(1), password: Password });
export type AcceptInviteBody = z.input<typeof AcceptInviteBody>;

export const Member = z.object({
  userId: z.string(),
  email: z.string(),
  name: z.string(),
  role: z.string(),
  vendorId: z.string(),
  customerId: z.string().nullable(),
  since: IsoDate,
});
export type Member = z.infer<typeof Member>;
/** `customerId` picks the membership when a user is in the vendor and a customer: a uuid, or null for the vendor's own. */
export const UpdateMemberBody = z.object({ role: Role, customerId: z.uuid().nullable().optional() });
export type UpdateMemberBody = z.input<typeof UpdateMemberBody>;

/** One entry of `GET /audit`. */
export const AuditRecord = z.object({
  id: z.string(),
  at: IsoDate,
  action: z.string(),
  actor: z.object({ userId: z.string().nullable(), tokenId: z.string().nullable(), email: z.string().nullable() }),
  vendorId: z.string(),
  customerId: z.string().nullable(),
  /**
   * What the action was done to: `type` (installation, release, application, version, customer, track,
   * rollout, entitlement, user, invite, token, session, vendor) and `id`; `name` as it was named when
   * the entry was written (an installation `main (Globex)`, a release `Shop 1.2.0`, a version
   * `shop 1.0.0`, a rollout by its release), null when it has none or is unknown.
   */
  target: z.object({ type: z.string().nullable(), id: z.string().nullable(), name: z.string().nullable().default(null) }),
  ip: z.string().nullable(),
  details: z.record(z.string(), z.unknown()).nullable(),
});
export type AuditRecord = z.infer<typeof AuditRecord>;

/** `GET /audit`: newest first; pass `nextBefore` as `before` for the next page (null on the last). */
export const AuditPage = z.object({ items: z.array(AuditRecord), nextBefore: z.string().nullable() });
export type AuditPage = z.infer<typeof AuditPage>;

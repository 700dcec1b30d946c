import { z } from 'zod';
import { Int32, IsoDate, Uuid, text } from '../common.js';

/**
 * Signed licenses. A license is `base64url(payload JSON) + "." + base64url(Ed25519 signature)`, the
 * signature taken over the first part exactly as it appears (its ASCII bytes), like a JWS compact
 * token without a header. The vendor's application verifies it offline with the vendor's public key
 * (`GET /licenses/public-key`, or without sign-in `GET /license-keys/:vendorId`).
 */
export const LICENSE_FORMAT_VERSION = 1;
export const LICENSE_ALGORITHM = 'Ed25519';

/** What an expired license does: nothing but a warning, or no more deploys and rollouts for its customer. */
export const LicenseExpiryPolicy = z.enum(['warn', 'block-updates']);
export type LicenseExpiryPolicy = z.infer<typeof LicenseExpiryPolicy>;

export const LicenseStatus = z.enum(['active', 'replaced', 'revoked']);
export type LicenseStatus = z.infer<typeof LicenseStatus>;

/** Free-form fields the vendor's application reads (seats, features…): scalars only. */
export const LicenseCustomFields = z
  .record(text(64).min(1).regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, "_", "." and "-"'), z.union([text(1000), z.number(), z.boolean()]))
  .refine((f) => Object.keys(f).length <= 50, 'at most 50 custom fields');
export type LicenseCustomFields = z.infer<typeof LicenseCustomFields>;

/** One entitled track in the signed payload: a copy of the customer's entitlement when the license was issued. */
export const LicenseEntitlement = z.object({
  trackId: z.string(),
  track: z.string(),
  /** semver range, null = every version. */
  versionRange: z.string().nullable(),
  expiresAt: z.string().nullable(),
});
export type LicenseEntitlement = z.infer<typeof LicenseEntitlement>;

/** The signed content. Applications should read `expiresAt` and the fields they need; more fields may be added. */
export const LicensePayload = z.object({
  v: z.literal(LICENSE_FORMAT_VERSION),
  /** The license id (a replacement has a new one). */
  id: z.string(),
  vendorId: z.string(),
  vendor: z.string(),
  customerId: z.string(),
  customer: z.string(),
  issuedAt: z.string(),
  /** null = never expires. */
  expiresAt: z.string().nullable(),
  onExpiry: LicenseExpiryPolicy,
  /** null = no limit. */
  maxInstallations: z.number().int().nullable(),
  entitlements: z.array(LicenseEntitlement),
  customFields: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
});
export type LicensePayload = z.infer<typeof LicensePayload>;

export const License = z.object({
  id: z.string(),
  vendorId: z.string(),
  customerId: z.string(),
  status: LicenseStatus,
  /** The license that replaced this one. */
  replacedBy: z.string().nullable(),
  issuedAt: IsoDate,
  expiresAt: IsoDate.nullable(),
  /** Expired now (whatever its status). */
  expired: z.boolean(),
  revokedAt: IsoDate.nullable(),
  onExpiry: LicenseExpiryPolicy,
  maxInstallations: z.number().int().nullable(),
  customFields: LicenseCustomFields,
  entitlements: z.array(LicenseEntitlement),
  /** The signed license the agents hand to the application. */
  license: z.string(),
});
export type License = z.infer<typeof License>;

const licenseTerms = {
  expiresAt: IsoDate.nullable().optional(),
  onExpiry: LicenseExpiryPolicy.optional(),
  maxInstallations: Int32.min(1).max(100_000).nullable().optional(),
  customFields: LicenseCustomFields.optional(),
};

/** Issue the customer's license; its entitlements are copied from the customer's current ones. */
export const IssueLicenseBody = z.object({ customerId: Uuid, ...licenseTerms }).strict();
export type IssueLicenseBody = z.input<typeof IssueLicenseBody>;

/** A new license in place of this one: unchanged terms are kept, entitlements copied afresh. */
export const ReplaceLicenseBody = z.object(licenseTerms).strict();
export type ReplaceLicenseBody = z.input<typeof ReplaceLicenseBody>;

export const LicensesQuery = z.object({ customerId: Uuid.optional(), status: LicenseStatus.optional() }).strict();
export type LicensesQuery = z.infer<typeof LicensesQuery>;

export const LicenseList = z.object({ items: z.array(License) });
export type LicenseList = z.infer<typeof LicenseList>;

export const LicensePublicKey = z.object({
  vendorId: z.string(),
  algorithm: z.literal(LICENSE_ALGORITHM),
  /** SPKI PEM: `crypto.createPublicKey(publicKey)` reads it as is. */
  publicKey: z.string(),
});
export type LicensePublicKey = z.infer<typeof LicensePublicKey>;

/** What an agent holds for its application: the customer's current license, or null (none, or revoked). */
export const LicenseDelivery = z.object({ license: z.string().max(64_000).nullable() });
export type LicenseDelivery = z.infer<typeof LicenseDelivery>;

/** The two parts of a license, or undefined when it is not `<base64url>.<base64url>`. */
export function splitLicense(license: string): { payload: string; signature: string } | undefined {
  const [payload, signature, extra] = license.trim().split('.');
  const part = /^[A-Za-z0-9_-]+$/;
  return payload && signature && extra === undefined && part.test(payload) && part.test(signature) ? { payload, signature } : undefined;
}

import { z } from 'zod';
import { IsoDate, text } from '../common.js';

/**
 * The portal's light backgrounds a vendor's colours must stay readable on: the page and the cards.
 * The portal's styles.css defines the same two values (a portal test keeps them equal), the hub
 * checks contrast against them.
 */
export const PORTAL_BACKGROUNDS = { page: '#f5f7fa', surface: '#ffffff' } as const;
/** WCAG 2.x AA: text (the primary colour is link text and the button fill under white text). */
export const MIN_TEXT_CONTRAST = 4.5;
/** WCAG 2.x AA for non-text elements (the accent colour marks borders and focus rings). */
export const MIN_UI_CONTRAST = 3;

export const BRAND_IMAGE_KINDS = ['logo', 'favicon'] as const;
export const BrandImageKind = z.enum(BRAND_IMAGE_KINDS);
export type BrandImageKind = z.infer<typeof BrandImageKind>;
export const BRAND_IMAGE_TYPES = ['image/png', 'image/svg+xml'] as const;
/** Largest image accepted, decoded, per kind. */
export const BRAND_IMAGE_MAX_BYTES: Record<BrandImageKind, number> = { logo: 256 * 1024, favicon: 64 * 1024 };

/** An uploaded logo or favicon, base64 in the JSON body (the portal reads the chosen file). */
export const BrandImageUpload = z
  .object({
    contentType: z.enum(BRAND_IMAGE_TYPES),
    data: z.string().min(1).max(512 * 1024).regex(/^[A-Za-z0-9+/]+={0,2}$/, 'base64'),
  })
  .strict();
export type BrandImageUpload = z.infer<typeof BrandImageUpload>;

/** A colour in any CSS notation the hub can parse (#rrggbb, rgb(), hsl(), names); stored as #rrggbb. */
const Colour = text(60).trim().min(1);
/** A host name the vendor's customers reach the portal on, e.g. `portal.acme.com` (no scheme, no port). */
export const BrandDomain = z
  .string()
  .trim()
  .max(253)
  .regex(/^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/, 'a host name such as portal.example.com (no scheme, port or path)')
  .refine((d) => !/^[\d.]+$/.test(d), 'a host name, not an IP address')
  .transform((d) => d.toLowerCase());

export const Branding = z.object({
  vendorId: z.string(),
  vendorName: z.string(),
  /** Shown instead of "Flotilla" on the vendor's domains and in its mails; null = the vendor's name. */
  productName: z.string().nullable(),
  primaryColor: z.string().nullable(),
  accentColor: z.string().nullable(),
  /** Public URLs of the images (they change when the image does), or null. */
  logoUrl: z.string().nullable(),
  faviconUrl: z.string().nullable(),
  emailSenderName: z.string().nullable(),
  emailFooter: z.string().nullable(),
  /** Host names on which the login, invite and customer pages are this vendor's. */
  domains: z.array(z.string()),
  updatedAt: IsoDate.nullable(),
});
export type Branding = z.infer<typeof Branding>;

export const UpdateBrandingBody = z
  .object({
    productName: text(80).trim().min(1).nullable().optional(),
    primaryColor: Colour.nullable().optional(),
    accentColor: Colour.nullable().optional(),
    emailSenderName: text(80).trim().min(1).regex(/^[^\r\n<>"]*$/, 'no line breaks, quotes or angle brackets').nullable().optional(),
    emailFooter: text(2000).trim().min(1).nullable().optional(),
    /** Replaces the list; each domain belongs to one vendor at most. */
    domains: z.array(BrandDomain).max(10).optional(),
    logo: BrandImageUpload.nullable().optional(),
    favicon: BrandImageUpload.nullable().optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'nothing to update');
export type UpdateBrandingBody = z.input<typeof UpdateBrandingBody>;

/** What a browser needs to draw the login page of a host before anyone signs in. */
export const PublicBrand = Branding.pick({ productName: true, primaryColor: true, accentColor: true, logoUrl: true, faviconUrl: true }).extend({
  productName: z.string(),
});
export type PublicBrand = z.infer<typeof PublicBrand>;

/** `GET /branding/host`: the brand of the request's host, or null on the hub's own host names. */
export const HostBrandingResponse = z.object({ brand: PublicBrand.nullable() });
export type HostBrandingResponse = z.infer<typeof HostBrandingResponse>;

import { BRAND_IMAGE_MAX_BYTES, BRAND_IMAGE_TYPES, type Branding, type BrandImageKind, type BrandImageUpload, type UpdateBrandingBody } from '@flotilla/protocol';

/** The branding form's text fields ('' = not set). */
export interface BrandingFields {
  productName: string;
  primaryColor: string;
  accentColor: string;
  emailSenderName: string;
  emailFooter: string;
  /** One host name per line. */
  domains: string;
}

/** Labels of the form's fields by the hub's issue paths (for formErrors). */
export const BRANDING_LABELS = {
  productName: 'Product name',
  primaryColor: 'Primary colour',
  accentColor: 'Accent colour',
  logo: 'Logo',
  favicon: 'Favicon',
  emailSenderName: 'Email sender name',
  emailFooter: 'Email footer',
  domains: 'Custom domains',
} as const;

export function brandingFields(b: Branding): BrandingFields {
  return {
    productName: b.productName ?? '',
    primaryColor: b.primaryColor ?? '',
    accentColor: b.accentColor ?? '',
    emailSenderName: b.emailSenderName ?? '',
    emailFooter: b.emailFooter ?? '',
    domains: b.domains.join('\n'),
  };
}

export function parseDomains(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((d) => d.trim())
    .filter((d) => d.length > 0);
}

/** Image changes: a new upload, null to remove, absent to keep. */
export type ImageChanges = Partial<Record<BrandImageKind, BrandImageUpload | null>>;

/** The PATCH body: only what differs from the saved settings ('' clears a field). */
export function brandingPatch(fields: BrandingFields, saved: Branding, images: ImageChanges): UpdateBrandingBody | null {
  const before = brandingFields(saved);
  const body: Record<string, unknown> = {};
  for (const key of ['productName', 'primaryColor', 'accentColor', 'emailSenderName', 'emailFooter'] as const) {
    const value = fields[key].trim();
    if (value !== before[key]) body[key] = value === '' ? null : value;
  }
  const domains = parseDomains(fields.domains);
  if (domains.join('\n') !== saved.domains.join('\n')) body.domains = domains;
  for (const [kind, change] of Object.entries(images)) if (change !== undefined) body[kind] = change;
  return Object.keys(body).length > 0 ? (body as UpdateBrandingBody) : null;
}

/** Why a chosen file cannot be a brand image, before it is read and sent; null when it may. */
export function imageProblem(kind: BrandImageKind, file: { type: string; size: number }): string | null {
  if (!(BRAND_IMAGE_TYPES as readonly string[]).includes(file.type)) return `${BRANDING_LABELS[kind]}: choose a PNG or SVG file`;
  const max = BRAND_IMAGE_MAX_BYTES[kind];
  if (file.size > max) return `${BRANDING_LABELS[kind]}: the file is ${Math.ceil(file.size / 1024)} KB, at most ${max / 1024} KB`;
  return null;
}

/** A `data:` URL (FileReader) as the upload the hub takes. */
export function uploadFromDataUrl(dataUrl: string): BrandImageUpload | null {
  const m = /^data:(image\/png|image\/svg\+xml);base64,(.+)$/.exec(dataUrl);
  return m?.[1] && m[2] ? { contentType: m[1] as BrandImageUpload['contentType'], data: m[2] } : null;
}

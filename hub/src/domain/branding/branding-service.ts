import type { Branding, BrandImageKind, PublicBrand, UpdateBrandingBody, ValidationIssue } from '@flotilla/protocol';
import { AppError } from '../../errors.js';
import { isUniqueViolation, isUuid } from '../shared/db-errors.js';
import type { BrandingPatch, BrandingRepository, BrandingRow } from './branding-repository.js';
import { checkColour } from './colours.js';
import { checkImage, type BrandImage } from './images.js';

type UpdateBranding = Exclude<UpdateBrandingBody, undefined>;

/** Where an image is served; its hash in the query makes a new image a new URL. */
export function brandImageUrl(vendorId: string, kind: BrandImageKind, hash: string | null): string | null {
  return hash ? `/api/v1/branding/${vendorId}/${kind}?v=${hash}` : null;
}

function toPublicBrand(row: BrandingRow): PublicBrand {
  return {
    productName: row.product_name ?? row.vendor_name,
    primaryColor: row.primary_color,
    accentColor: row.accent_color,
    logoUrl: brandImageUrl(row.vendor_id, 'logo', row.logo_hash),
    faviconUrl: brandImageUrl(row.vendor_id, 'favicon', row.favicon_hash),
  };
}

function toBranding(row: BrandingRow, domains: string[]): Branding {
  return {
    ...toPublicBrand(row),
    vendorId: row.vendor_id,
    vendorName: row.vendor_name,
    productName: row.product_name,
    emailSenderName: row.email_sender_name,
    emailFooter: row.email_footer,
    domains,
    updatedAt: row.updated_at?.toISOString() ?? null,
  };
}

/** How a vendor's mails present themselves: the product's name, the sender's display name, a footer. */
export interface MailIdentity {
  productName: string;
  senderName: string | null;
  footer: string | null;
  /** Where the vendor's customers open the portal: its first custom domain, else the hub's URL. */
  portalUrl: string;
}

/**
 * A vendor's look on its customers' side. Custom domains are first come, first served and unique
 * across vendors (not DNS-verified: a domain only reaches this hub when its owner points it here, so
 * claiming someone else's domain shows nobody anything; the hub's own host names are refused).
 */
export class BrandingService {
  private readonly hub: URL;

  constructor(
    private readonly repo: BrandingRepository,
    private readonly publicUrl: string,
  ) {
    this.hub = new URL(publicUrl);
  }

  async get(vendorId: string): Promise<Branding> {
    const row = await this.repo.get(vendorId);
    if (!row) throw AppError.notFound('Vendor');
    return toBranding(row, await this.repo.domains(vendorId));
  }

  async update(vendorId: string, body: UpdateBranding): Promise<Branding> {
    const issues: ValidationIssue[] = [];
    const patch: BrandingPatch = {};
    if (body.productName !== undefined) patch.product_name = body.productName;
    if (body.emailSenderName !== undefined) patch.email_sender_name = body.emailSenderName;
    if (body.emailFooter !== undefined) patch.email_footer = body.emailFooter;
    for (const [role, column] of [['primaryColor', 'primary_color'], ['accentColor', 'accent_color']] as const) {
      const input = body[role];
      if (input === undefined) continue;
      if (input === null) {
        patch[column] = null;
        continue;
      }
      const check = checkColour(role, input);
      if (check.ok) patch[column] = check.hex;
      else issues.push(check.issue);
    }
    for (const kind of ['logo', 'favicon'] as const) {
      const upload = body[kind];
      if (upload === undefined) continue;
      if (upload === null) {
        patch[kind] = null;
        continue;
      }
      const check = checkImage(kind, upload);
      if (check.ok) patch[kind] = check.image;
      else issues.push(check.issue);
    }
    const domains = body.domains && [...new Set(body.domains)].sort();
    for (const domain of domains ?? []) {
      if (domain === this.hub.hostname || domain === 'localhost') issues.push({ path: 'domains', message: `${domain} is the hub's own host name, not a vendor's` });
    }
    if (issues.length > 0) throw new AppError('VALIDATION_FAILED', `Invalid branding: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`, { issues });
    await this.saveClaimingDomains(vendorId, patch, domains);
    return this.get(vendorId);
  }

  private async saveClaimingDomains(vendorId: string, patch: BrandingPatch, domains: string[] | undefined): Promise<void> {
    const taken = await this.repo.takenByOthers(vendorId, domains ?? []);
    const conflict = (names: string[]) => new AppError('CONFLICT', `Already used by another vendor: ${names.join(', ')}`, { issues: [{ path: 'domains', message: `already used by another vendor: ${names.join(', ')}` }] });
    if (taken.length > 0) throw conflict(taken);
    try {
      await this.repo.save(vendorId, patch, domains);
    } catch (err) {
      // Another vendor claimed one between the check and the write.
      if (isUniqueViolation(err, 'vendor_domains_pkey')) throw conflict(await this.repo.takenByOthers(vendorId, domains ?? []));
      throw err;
    }
  }

  /** The brand of a custom domain, or null for any other host (the hub's own names). */
  async forHost(hostname: string): Promise<PublicBrand | null> {
    const row = await this.repo.byDomain(hostname.toLowerCase());
    return row ? toPublicBrand(row) : null;
  }

  async image(vendorId: string, kind: BrandImageKind): Promise<BrandImage> {
    const image = isUuid(vendorId) ? await this.repo.image(vendorId, kind) : undefined;
    if (!image) throw AppError.notFound('Image');
    return image;
  }

  async mailIdentity(vendorId: string): Promise<MailIdentity> {
    const branding = await this.get(vendorId);
    const domain = branding.domains[0];
    let portalUrl = this.publicUrl;
    if (domain) {
      // The customers' host on the hub's own scheme and port (behind the same TLS proxy).
      const url = new URL(this.hub.origin);
      url.hostname = domain;
      portalUrl = url.origin;
    }
    return { productName: branding.productName ?? branding.vendorName, senderName: branding.emailSenderName, footer: branding.emailFooter, portalUrl };
  }
}

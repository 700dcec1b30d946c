import type { Branding, PublicBrand } from '@flotilla/protocol';

/** The look the portal has on the hub's own host names. */
export const HUB_BRAND: PublicBrand = { productName: 'Flotilla', primaryColor: null, accentColor: null, logoUrl: null, faviconUrl: null };
export const HUB_FAVICON = '/favicon.svg';

export interface EffectiveBrand extends PublicBrand {
  /** A vendor's look (its domain, or its customer signed in): nothing of the hub may show. */
  vendor: boolean;
}

/** A vendor's settings as the public shape (the product is the vendor's name until it names one). */
export function publicBrandOf(b: Branding): PublicBrand {
  return { productName: b.productName ?? b.vendorName, primaryColor: b.primaryColor, accentColor: b.accentColor, logoUrl: b.logoUrl, faviconUrl: b.faviconUrl };
}

/**
 * Whose look the portal wears: the vendor of the host (a custom domain) always; on the hub's own
 * host names, a customer user's vendor (customers see their vendor, never the hub); else the hub's.
 */
export function effectiveBrand(host: PublicBrand | null, signedInCustomersVendor: PublicBrand | null): EffectiveBrand {
  const brand = host ?? signedInCustomersVendor;
  return brand ? { ...brand, vendor: true } : { ...HUB_BRAND, vendor: false };
}

/** The tab's title: the page, then the product. */
export function pageTitle(page: string | undefined, productName: string): string {
  return page ? `${page} · ${productName}` : productName;
}

/** CSS custom properties the brand sets on :root (null = remove, the stylesheet's default applies). */
export function themeVariables(brand: PublicBrand): Record<'--brand' | '--accent', string | null> {
  return { '--brand': brand.primaryColor, '--accent': brand.accentColor };
}

/** The initial shown when a vendor has no logo (the hub's mark is never shown for a vendor). */
export function monogram(productName: string): string {
  return (productName.trim()[0] ?? '?').toUpperCase();
}

import type { PublicBrand } from '@flotilla/protocol';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);

/**
 * The portal's index.html as a vendor's domain serves it: the vendor's title and favicon in the
 * markup itself, so neither the tab nor a page without script ever shows the hub's own. Only text
 * and a link are changed (no inline script or style: the page keeps a strict CSP). Pure.
 */
export function brandIndexHtml(html: string, brand: PublicBrand): string {
  const icon = brand.faviconUrl ? `<link rel="icon" href="${escapeHtml(brand.faviconUrl)}" />` : '';
  return html.replace(/<title>[^<]*<\/title>/, `<title>${escapeHtml(brand.productName)}</title>`).replace(/<link rel="icon"[^>]*>/, icon);
}

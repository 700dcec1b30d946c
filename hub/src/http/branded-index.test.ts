import { describe, expect, it } from 'vitest';
import { brandIndexHtml } from './branded-index.js';

const INDEX = `<!doctype html><html><head><link rel="icon" type="image/svg+xml" href="/favicon.svg" /><title>Flotilla</title></head><body></body></html>`;
const BRAND = { productName: 'Acme <Cloud>', primaryColor: null, accentColor: null, logoUrl: null, faviconUrl: '/api/v1/branding/v1/favicon?v=ab' };

describe('brandIndexHtml', () => {
  it('puts the vendor’s escaped name in the title and its favicon in the link', () => {
    const html = brandIndexHtml(INDEX, BRAND);
    expect(html).toContain('<title>Acme &lt;Cloud&gt;</title>');
    expect(html).toContain('<link rel="icon" href="/api/v1/branding/v1/favicon?v=ab" />');
    expect(html).not.toMatch(/flotilla/i);
  });

  it('drops the hub’s favicon when the vendor has none', () => {
    const html = brandIndexHtml(INDEX, { ...BRAND, faviconUrl: null });
    expect(html).not.toContain('favicon.svg');
    expect(html).not.toContain('rel="icon"');
  });
});

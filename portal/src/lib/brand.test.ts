import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PORTAL_BACKGROUNDS } from '@flotilla/protocol';
import { HUB_BRAND, effectiveBrand, monogram, pageTitle, publicBrandOf, themeVariables } from './brand';

const ACME = { productName: 'Acme Cloud', primaryColor: '#7a143c', accentColor: '#d97706', logoUrl: '/l', faviconUrl: '/f' };

describe('brand', () => {
  it('wears the host’s vendor first, then a signed-in customer’s vendor, else the hub', () => {
    expect(effectiveBrand(ACME, null)).toEqual({ ...ACME, vendor: true });
    expect(effectiveBrand(ACME, { ...ACME, productName: 'Other' }).productName).toBe('Acme Cloud');
    expect(effectiveBrand(null, ACME)).toEqual({ ...ACME, vendor: true });
    expect(effectiveBrand(null, null)).toEqual({ ...HUB_BRAND, vendor: false });
  });

  it('names the product after the vendor until it names one', () => {
    const settings = { ...ACME, productName: null, vendorId: 'v', vendorName: 'Acme Inc', emailSenderName: null, emailFooter: null, domains: [], updatedAt: null };
    expect(publicBrandOf(settings).productName).toBe('Acme Inc');
    expect(publicBrandOf({ ...settings, productName: 'Acme Cloud' }).productName).toBe('Acme Cloud');
  });

  it('titles pages with the product', () => {
    expect(pageTitle('Sign in', 'Acme Cloud')).toBe('Sign in · Acme Cloud');
    expect(pageTitle(undefined, 'Acme Cloud')).toBe('Acme Cloud');
  });

  it('sets only the colours the vendor chose', () => {
    expect(themeVariables(ACME)).toEqual({ '--brand': '#7a143c', '--accent': '#d97706' });
    expect(themeVariables(HUB_BRAND)).toEqual({ '--brand': null, '--accent': null });
    expect(monogram(' acme')).toBe('A');
  });

  it('checks contrast against the backgrounds styles.css really has', () => {
    const css = readFileSync(new URL('../styles.css', import.meta.url), 'utf8');
    expect(css).toContain(`--bg: ${PORTAL_BACKGROUNDS.page};`);
    expect(css).toContain(`--surface: ${PORTAL_BACKGROUNDS.surface};`);
  });
});

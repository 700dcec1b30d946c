import { describe, expect, it } from 'vitest';
import type { Branding } from '@flotilla/protocol';
import { brandingFields, brandingPatch, imageProblem, parseDomains, uploadFromDataUrl } from './branding-form';

const SAVED: Branding = {
  vendorId: 'v',
  vendorName: 'Acme Inc',
  productName: 'Acme Cloud',
  primaryColor: '#7a143c',
  accentColor: null,
  logoUrl: null,
  faviconUrl: null,
  emailSenderName: null,
  emailFooter: null,
  domains: ['portal.acme.test'],
  updatedAt: null,
};

describe('branding form', () => {
  it('sends only what changed, blank fields as null', () => {
    const fields = { ...brandingFields(SAVED), productName: '', accentColor: ' #d97706 ' };
    expect(brandingPatch(fields, SAVED, {})).toEqual({ productName: null, accentColor: '#d97706' });
    expect(brandingPatch(brandingFields(SAVED), SAVED, {})).toBeNull();
  });

  it('sends the domain list when it changed, and image changes', () => {
    const fields = { ...brandingFields(SAVED), domains: 'portal.acme.test\n  app.acme.test, ' };
    expect(brandingPatch(fields, SAVED, { logo: null })).toEqual({ domains: ['portal.acme.test', 'app.acme.test'], logo: null });
    expect(parseDomains('')).toEqual([]);
  });

  it('refuses other files and large ones before reading them', () => {
    expect(imageProblem('logo', { type: 'image/jpeg', size: 10 })).toMatch(/PNG or SVG/);
    expect(imageProblem('favicon', { type: 'image/png', size: 100 * 1024 })).toMatch(/100 KB, at most 64 KB/);
    expect(imageProblem('logo', { type: 'image/svg+xml', size: 1000 })).toBeNull();
  });

  it('turns a data URL into an upload', () => {
    expect(uploadFromDataUrl('data:image/png;base64,iVBORw0K')).toEqual({ contentType: 'image/png', data: 'iVBORw0K' });
    expect(uploadFromDataUrl('data:text/html;base64,PGI+')).toBeNull();
  });
});

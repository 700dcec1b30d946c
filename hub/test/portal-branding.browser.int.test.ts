import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ApiClient } from './api-client.js';
import { randomSuffix } from './helpers.js';
import { UI_TIMEOUT, signInWithForm, useBrowserSuite } from './browser-helpers.js';
import { ACME_LOGO_SVG } from './brand-fixtures.js';

/**
 * The white-label portal: a vendor admin brands the portal on the Branding settings page (name,
 * colours, an SVG logo, a custom domain); its customer then opens the portal through that domain (a
 * real Chromium resolving the domain to loopback, so the Host header is the vendor's) and finds the
 * vendor's name, logo and colours, and no "Flotilla" anywhere, on the login, invite and customer pages.
 */
const DOMAIN = 'portal.acme-cloud.test';
const PRIMARY = '#7a143c';
const PRIMARY_RGB = 'rgb(122, 20, 60)';
const ACCENT = '#b45309';

const suite = useBrowserSuite({ chromiumArgs: [`--host-resolver-rules=MAP ${DOMAIN} 127.0.0.1`] });
const { open } = suite;

let files: string | undefined;
let vendorBase: string;
let customerBase: string;

beforeAll(async () => {
  vendorBase = suite.hub.url;
  customerBase = `http://${DOMAIN}:${new URL(suite.hub.url).port}`;
  files = await mkdtemp(path.join(tmpdir(), 'brand-'));
});

afterAll(async () => {
  if (files) await rm(files, { recursive: true, force: true });
});

/**
 * Everything of the page a customer could see or hear of the hub's name: the visible text, the
 * title, labels and tooltips, image alternatives and the favicon's address.
 */
async function visibleHubTraces(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const seen = [document.title, document.body.innerText];
    for (const el of document.querySelectorAll('[alt], [title], [aria-label], [placeholder]')) {
      for (const a of ['alt', 'title', 'aria-label', 'placeholder']) seen.push(el.getAttribute(a) ?? '');
    }
    for (const link of document.querySelectorAll('link[rel~="icon"]')) seen.push(link.getAttribute('href') ?? '');
    return seen.filter((text) => /flotilla|favicon\.svg/i.test(text));
  });
}

/** The vendor's look on the page: its name, its logo (loaded), its colours on a button and the card. */
async function expectVendorLook(page: Page, title: string): Promise<void> {
  await expect.poll(() => page.title(), { timeout: UI_TIMEOUT }).toBe(title);
  const logo = page.getByRole('img', { name: 'Acme Cloud logo' }).first();
  await logo.waitFor();
  expect(await logo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
  const colours = await page.evaluate(() => {
    const root = getComputedStyle(document.documentElement);
    return { brand: root.getPropertyValue('--brand').trim(), accent: root.getPropertyValue('--accent').trim() };
  });
  expect(colours).toEqual({ brand: PRIMARY, accent: ACCENT });
  expect(await visibleHubTraces(page)).toEqual([]);
}

describe('a vendor’s custom domain', () => {
  it('shows its customers the vendor’s name, logo and colours, never Flotilla', async () => {
    if (!files) throw new Error('no brand files directory');
    const api = new ApiClient(vendorBase);
    const vendor = await api.signup(randomSuffix());

    // 1. The vendor admin brands the portal on the settings page (on the hub's own host name).
    const admin = await signInWithForm(await open('vendor'), vendorBase, vendor.email, vendor.password, '/');
    await admin.page.getByTestId('nav-branding').click();
    await admin.page.getByLabel('Product name').fill('Acme Cloud');
    await admin.page.getByLabel('Primary colour').fill('#ffd400');
    await admin.page.getByRole('button', { name: 'Save branding' }).click();
    // Unreadable: refused with the reason, under the field.
    await expect.poll(() => admin.page.getByTestId('field-error-primaryColor').textContent()).toMatch(/unreadable .* contrast 1\.\d+:1, needs at least 4\.5:1/);
    await admin.page.getByLabel('Primary colour').fill(PRIMARY);
    await admin.page.getByLabel('Accent colour').fill(ACCENT);
    const logoFile = path.join(files, 'acme.svg');
    await writeFile(logoFile, ACME_LOGO_SVG);
    await admin.page.getByLabel('Logo').setInputFiles(logoFile);
    await admin.page.getByTestId('chosen-logo').waitFor();
    await admin.page.getByLabel('Custom domains').fill(DOMAIN);
    await admin.page.getByRole('button', { name: 'Save branding' }).click();
    await admin.page.getByTestId('branding-saved').waitFor();
    await admin.page.getByRole('img', { name: 'Logo preview' }).waitFor();

    const customer = await api.post<{ id: string }>('/customers', { name: 'Globex' });
    const invite = await api.post<{ inviteUrl: string }>('/invites', { email: `ops-${randomSuffix()}@globex.test`, role: 'admin', customerId: customer.body.id });
    expect(invite.status).toBe(201);
    // Customers are invited to the vendor's domain.
    expect(invite.body.inviteUrl.startsWith(`${customerBase}/invite/`)).toBe(true);

    // 2. The login page of the vendor's domain, before anyone signs in.
    const cust = await open('customer');
    await cust.page.goto(`${customerBase}/login`);
    await expectVendorLook(cust.page, 'Sign in · Acme Cloud');
    expect(await cust.page.getByTestId('brand-name').innerText()).toBe('Acme Cloud');
    expect(await cust.page.getByRole('button', { name: 'Sign in' }).evaluate((b) => getComputedStyle(b).backgroundColor)).toBe(PRIMARY_RGB);
    // Customers join by invitation: no vendor sign-up on the vendor's domain.
    expect(await cust.page.getByTestId('signup-link').count()).toBe(0);
    await cust.page.goto(`${customerBase}/signup`);
    await cust.page.waitForURL((url) => url.pathname === '/login');

    // 3. The invite page, then the customer's own pages.
    await cust.page.goto(invite.body.inviteUrl);
    await expectVendorLook(cust.page, 'Accept invitation · Acme Cloud');
    expect(await cust.page.getByText('You have been invited to Acme Cloud.').count()).toBe(1);
    await cust.page.getByLabel('Your name').fill('Olga Ops');
    await cust.page.getByLabel('Password').fill('a long enough password');
    await cust.page.getByRole('button', { name: 'Accept invitation' }).click();
    await cust.page.waitForURL((url) => url.pathname === '/customer');
    await expectVendorLook(cust.page, 'Your installations · Acme Cloud');
    expect(await cust.page.getByTestId('vendor-name').innerText()).toBe('Acme Cloud');
    await cust.page.getByTestId('nav-customer-releases').click();
    await expectVendorLook(cust.page, 'Release notes · Acme Cloud');

    // 4. A reload renders the same from the server's page (the title in the HTML itself).
    await cust.page.reload();
    await expectVendorLook(cust.page, 'Release notes · Acme Cloud');
    expect(cust.errors).toEqual([]);

    // The vendor's own host name is still the hub's.
    const anon = await open('anonymous');
    await anon.page.goto(`${vendorBase}/login`);
    await expect.poll(() => anon.page.title()).toBe('Sign in · Flotilla');
    // Three sign-ins (scrypt) and a dozen page loads: minutes on a busy 2-core machine, seconds alone.
  }, 300_000);
});

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Branding, HostBrandingResponse } from '@flotilla/protocol';
import { ApiClient } from './api-client.js';
import { createTestDatabase, randomSuffix, startTestHub, type TestDatabase, type TestHub } from './helpers.js';
import { TINY_PNG } from './brand-fixtures.js';

/** Branding over REST, the public host endpoint and images, and index.html on a vendor's domain. */
let tdb: TestDatabase;
let hub: TestHub;
let portalDir: string;
let acme: ApiClient;
let acmeVendorId: string;
const DOMAIN = `portal-${randomSuffix()}.acme.test`;
const INDEX = '<!doctype html><html><head><link rel="icon" type="image/svg+xml" href="/favicon.svg" /><title>Flotilla</title></head><body><div id="app"></div></body></html>';
const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');

/** A GET with an explicit Host header (fetch would not send one). */
function getWithHost(pathname: string, host: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  const url = new URL(pathname, hub.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: url.pathname + url.search, headers: { host, accept: 'text/html,*/*', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  portalDir = await mkdtemp(path.join(tmpdir(), 'portal-'));
  await writeFile(path.join(portalDir, 'index.html'), INDEX);
  await writeFile(path.join(portalDir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  tdb = await createTestDatabase();
  hub = await startTestHub({ databaseUrl: tdb.url, portalDir });
  acme = new ApiClient(hub.url);
  acmeVendorId = (await acme.signup(randomSuffix())).vendorId;
});

afterAll(async () => {
  await hub.close();
  await tdb.drop();
  await rm(portalDir, { recursive: true, force: true });
});

describe('branding settings', () => {
  it('starts unset, named after the vendor', async () => {
    const res = await acme.get<Branding>('/branding');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ vendorId: acmeVendorId, productName: null, primaryColor: null, logoUrl: null, domains: [] });
  });

  it('refuses unreadable colours with the contrast in the message, and saves nothing of the request', async () => {
    const res = await acme.call<{ error: { code: string; message: string; details: { issues: { path: string; message: string }[] } } }>('PATCH', '/branding', { productName: 'Acme Cloud', primaryColor: '#ffd400', accentColor: 'nope' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details.issues.map((i) => i.path).sort()).toEqual(['accentColor', 'primaryColor']);
    expect(res.body.error.details.issues.find((i) => i.path === 'primaryColor')?.message).toMatch(/#ffd400 is unreadable .* contrast 1\.\d\d:1, needs at least 4\.5:1/);
    expect((await acme.get<Branding>('/branding')).body.productName).toBeNull();
  });

  it('refuses an SVG that is not one and a PNG that is not one', async () => {
    const res = await acme.call<{ error: { details: { issues: { path: string; message: string }[] } } }>('PATCH', '/branding', { logo: { contentType: 'image/svg+xml', data: b64('<p>hi</p>') }, favicon: { contentType: 'image/png', data: b64('GIF89a') } });
    expect(res.status).toBe(400);
    expect(res.body.error.details.issues).toEqual([
      { path: 'logo', message: 'is not an SVG image (its root element must be <svg>)' },
      { path: 'favicon', message: 'is not a PNG image' },
    ]);
  });

  it('saves name, colours (normalised), sanitised images, mail identity and domains', async () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" onload="alert(1)"><script>alert(2)</script><rect width="10" height="10" fill="#7a143c"/></svg>';
    const res = await acme.call<Branding>('PATCH', '/branding', {
      productName: 'Acme Cloud',
      primaryColor: 'rgb(122, 20, 60)',
      accentColor: '#D97706',
      logo: { contentType: 'image/svg+xml', data: b64(svg) },
      favicon: { contentType: 'image/png', data: TINY_PNG.toString('base64') },
      emailSenderName: 'Acme Support',
      emailFooter: 'Acme Inc',
      domains: [DOMAIN.toUpperCase()],
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ productName: 'Acme Cloud', primaryColor: '#7a143c', accentColor: '#d97706', emailSenderName: 'Acme Support', emailFooter: 'Acme Inc', domains: [DOMAIN] });
    expect(res.body.logoUrl).toMatch(new RegExp(`^/api/v1/branding/${acmeVendorId}/logo\\?v=[0-9a-f]{16}$`));

    const logo = await fetch(`${hub.url}${res.body.logoUrl}`);
    expect(logo.status).toBe(200);
    expect(logo.headers.get('content-type')).toBe('image/svg+xml');
    expect(logo.headers.get('x-content-type-options')).toBe('nosniff');
    expect(logo.headers.get('content-security-policy')).toContain('sandbox');
    const text = await logo.text();
    expect(text).toContain('<rect');
    expect(text).not.toMatch(/script|onload|alert/);
    // Not with fetch: it adds Cache-Control: no-cache to conditional requests.
    const again = await getWithHost(res.body.logoUrl ?? '', '127.0.0.1', { 'if-none-match': logo.headers.get('etag') ?? '' });
    expect(again.status).toBe(304);

    const favicon = await fetch(`${hub.url}${res.body.faviconUrl}`);
    expect(favicon.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await favicon.arrayBuffer()).equals(TINY_PNG)).toBe(true);
    expect((await acme.call('PATCH', '/branding', { favicon: null })).status).toBe(200);
    expect((await fetch(`${hub.url}${res.body.faviconUrl}`)).status).toBe(404);
    expect((await acme.get('/branding/not-a-uuid/logo')).status).toBe(404);
    expect((await acme.get(`/branding/${acmeVendorId}/banner`)).status).toBe(404);
  });

  it('lets a domain belong to one vendor only, and never the hub’s own host name', async () => {
    const other = new ApiClient(hub.url);
    await other.signup(randomSuffix());
    const taken = await other.call<{ error: { code: string; message: string } }>('PATCH', '/branding', { domains: [DOMAIN, 'free.other.test'] });
    expect(taken.status).toBe(409);
    expect(taken.body.error.message).toBe(`Already used by another vendor: ${DOMAIN}`);
    expect((await other.get<Branding>('/branding')).body.domains).toEqual([]);
    const own = await other.call<{ error: { code: string } }>('PATCH', '/branding', { domains: ['localhost'] });
    expect(own.status).toBe(400);
    const bad = await other.call<{ error: { code: string } }>('PATCH', '/branding', { domains: ['https://x.test/'] });
    expect(bad.status).toBe(400);
  });

  it('shows the vendor’s look to its customer’s users, who cannot change it', async () => {
    const customer = await acme.post<{ id: string }>('/customers', { name: `C${randomSuffix()}` });
    const invite = await acme.post<{ inviteUrl: string }>('/invites', { email: `c-${randomSuffix()}@example.com`, role: 'admin', customerId: customer.body.id });
    const user = new ApiClient(hub.url);
    const token = invite.body.inviteUrl.split('/').pop() ?? '';
    expect((await user.post(`/invites/${token}/accept`, { name: 'Cust', password: 'a long enough password' })).status).toBe(200);
    expect((await user.get<Branding>('/branding')).body).toMatchObject({ vendorId: acmeVendorId, productName: 'Acme Cloud' });
    expect((await user.call('PATCH', '/branding', { productName: 'Pwned' })).status).toBe(404);
  });
});

describe('a vendor’s domain', () => {
  it('answers the public brand of the host, and nothing on the hub’s own', async () => {
    const branded = JSON.parse((await getWithHost('/api/v1/branding/host', `${DOMAIN}:8443`)).body.toString()) as HostBrandingResponse;
    expect(branded.brand).toMatchObject({ productName: 'Acme Cloud', primaryColor: '#7a143c', accentColor: '#d97706', faviconUrl: null });
    expect(branded.brand?.logoUrl).toMatch(/^\/api\/v1\/branding\/.+\/logo\?v=/);
    expect(JSON.parse((await getWithHost('/api/v1/branding/host', '127.0.0.1')).body.toString())).toEqual({ brand: null });
  });

  it('serves index.html with the vendor’s title and icon, on every portal path', async () => {
    expect((await acme.call('PATCH', '/branding', { favicon: { contentType: 'image/png', data: TINY_PNG.toString('base64') } })).status).toBe(200);
    for (const p of ['/', '/login', '/invite/abc', '/customer']) {
      const res = await getWithHost(p, DOMAIN);
      expect(res.status).toBe(200);
      const html = res.body.toString();
      expect(html).toContain('<title>Acme Cloud</title>');
      expect(html).toMatch(/<link rel="icon" href="\/api\/v1\/branding\/[^/]+\/favicon\?v=[0-9a-f]{16}" \/>/);
      expect(html).not.toMatch(/flotilla/i);
    }
    const icon = await getWithHost('/favicon.svg', DOMAIN);
    expect(icon.status).toBe(302);
    expect(icon.headers.location).toMatch(/\/favicon\?v=/);
    // The hub's own host keeps the hub's page.
    expect((await getWithHost('/login', '127.0.0.1')).body.toString()).toBe(INDEX);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from './api-client.js';
import { createTestDatabase, randomSuffix, startTestHub, waitFor, type TestDatabase, type TestHub } from './helpers.js';
import { startSmtpInbox, type Mail, type SmtpInbox } from './smtp-inbox.js';
import { PASSWORD } from './identity-helpers.js';

/** With SMTP configured, invites and sign-up links are mailed (through a real SMTP server on loopback). */
let tdb: TestDatabase;
let hub: TestHub;
let smtp: SmtpInbox;
let mails: Mail[] = [];

beforeAll(async () => {
  smtp = await startSmtpInbox();
  mails = smtp.mails;
  tdb = await createTestDatabase();
  hub = await startTestHub({ databaseUrl: tdb.url, smtpUrl: smtp.url });
});

afterAll(async () => {
  await hub.close();
  await tdb.drop();
  await smtp.close();
});

const mailTo = async (email: string, what: string) => (await waitFor(() => mails.find((m) => m.to.includes(email)), 10_000, what)).body.replace(/=\r?\n/g, '');

/** Signs a fresh vendor up the way a hub with SMTP wants: from the link mailed to the address. */
async function signupByMail(api: ApiClient): Promise<void> {
  const suffix = randomSuffix();
  const email = `admin-${suffix}@example.com`;
  const res = await api.post<{ confirmBy: string; email: string }>('/auth/signup', { email, password: PASSWORD, name: 'Ada Admin', vendorName: `Vendor ${suffix}` });
  expect(res.status).toBe(202);
  const token = /\/signup\/confirm\/([A-Za-z0-9_-]+)/.exec(await mailTo(email, 'the sign-up mail'))?.[1];
  expect(token).toBeDefined();
  const confirmed = await api.post('/auth/signup/confirm', { token });
  expect(confirmed.status).toBe(201);
}

describe('sign-up by mail', () => {
  it('answers the same whether or not the address has an account, mails the link or tells the owner, and creates the account from the link once', async () => {
    const owner = new ApiClient(hub.url);
    await signupByMail(owner);
    const me = await owner.get<{ user: { email: string } }>('/me');
    expect(me.status).toBe(200);
    const taken = me.body.user.email;

    const fresh = `fresh-${randomSuffix()}@example.com`;
    const stranger = new ApiClient(hub.url);
    const answers = [];
    for (const email of [taken, fresh]) {
      const res = await stranger.post<Record<string, unknown>>('/auth/signup', { email, password: PASSWORD, name: 'Eve', vendorName: 'Probe Ltd' });
      answers.push({ status: res.status, body: res.body, cookie: res.headers.getSetCookie().length });
    }
    // Same status, same shape, no session: nothing tells the two apart.
    expect(answers.map((a) => a.status)).toEqual([202, 202]);
    expect(answers.map((a) => Object.keys(a.body).sort())).toEqual([['confirmBy', 'email'], ['confirmBy', 'email']]);
    expect(answers.map((a) => a.cookie)).toEqual([0, 0]);

    const note = await waitFor(() => mails.filter((m) => m.to.includes(taken)).at(1), 10_000, 'the note to the owner');
    expect(note.body).toMatch(/already has one/);
    expect(note.body).not.toMatch(/signup\/confirm/);
    const link = /\/signup\/confirm\/([A-Za-z0-9_-]+)/.exec(await mailTo(fresh, 'the sign-up mail'))?.[1];
    const first = await stranger.post<{ user: { email: string } }>('/auth/signup/confirm', { token: link });
    expect(first.status).toBe(201);
    expect(first.body.user.email).toBe(fresh);
    expect((await stranger.get('/me')).status).toBe(200);
    const again = await new ApiClient(hub.url).post<{ error: { code: string } }>('/auth/signup/confirm', { token: link });
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe('NOT_FOUND');
  });
});

describe('invite mail', () => {
  it('sends the invite URL to the invitee and says so', async () => {
    const admin = new ApiClient(hub.url);
    await signupByMail(admin);
    const email = `new-${randomSuffix()}@example.com`;
    const res = await admin.post<{ inviteUrl: string; mailed: boolean }>('/invites', { email, role: 'viewer' });
    expect(res.status).toBe(201);
    expect(res.body.mailed).toBe(true);
    const mail = await waitFor(() => mails.find((m) => m.to.includes(email)), 10_000, 'the invite mail');
    expect(mail.body.replace(/=\r?\n/g, '')).toContain(res.body.inviteUrl);
  });
});

describe('invite mail of a branded vendor', () => {
  it('invites a customer’s user to the vendor’s product, domain, sender name and footer', async () => {
    const admin = new ApiClient(hub.url);
    await signupByMail(admin);
    const domain = `portal-${randomSuffix()}.acme.test`;
    const branding = await admin.call('PATCH', '/branding', { productName: 'Acme Cloud', emailSenderName: 'Acme Support', emailFooter: 'Acme Inc, 1 Main St', domains: [domain] });
    expect(branding.status).toBe(200);
    const customer = await admin.post<{ id: string }>('/customers', { name: 'Globex' });
    const email = `cust-${randomSuffix()}@example.com`;
    const res = await admin.post<{ inviteUrl: string; mailed: boolean }>('/invites', { email, role: 'admin', customerId: customer.body.id });
    expect(res.status).toBe(201);
    // The vendor's domain on the hub's own scheme and port.
    expect(res.body.inviteUrl).toMatch(new RegExp(`^http://${domain.replace(/\./g, '\\.')}(:\\d+)?/invite/`));
    const mail = await waitFor(() => mails.find((m) => m.to.includes(email)), 10_000, 'the invite mail');
    const body = mail.body.replace(/=\r?\n/g, '');
    expect(body).toMatch(/^From: "?Acme Support"? <test@localhost>/m);
    expect(body).toMatch(/^Subject: You are invited to Acme Cloud/m);
    expect(body).toContain(res.body.inviteUrl);
    expect(body).toContain('Acme Inc, 1 Main St');
    expect(body).not.toMatch(/flotilla/i);
  });
});

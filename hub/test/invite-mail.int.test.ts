import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from './api-client.js';
import { createTestDatabase, randomSuffix, startTestHub, waitFor, type TestDatabase, type TestHub } from './helpers.js';

/** With SMTP configured, an invite is mailed (through a real SMTP server on loopback). */
let tdb: TestDatabase;
let hub: TestHub;
let smtp: SMTPServer;
const mails: { to: string[]; body: string }[] = [];

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, callback) {
      let body = '';
      stream.on('data', (d: Buffer) => (body += d.toString()));
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), body });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()));
  const port = (smtp.server.address() as AddressInfo).port;
  tdb = await createTestDatabase();
  hub = await startTestHub({ databaseUrl: tdb.url, smtpUrl: `smtp://127.0.0.1:${port}` });
});

afterAll(async () => {
  await hub.close();
  await tdb.drop();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

describe('invite mail', () => {
  it('sends the invite URL to the invitee and says so', async () => {
    const admin = new ApiClient(hub.url);
    await admin.signup(randomSuffix());
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
    await admin.signup(randomSuffix());
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

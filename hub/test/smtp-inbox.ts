import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { ApiClient } from './api-client.js';
import { randomSuffix, waitFor } from './helpers.js';

export interface Mail {
  to: string[];
  /** The raw message (headers and body). */
  body: string;
}

export interface SmtpInbox {
  /** `smtp://127.0.0.1:<port>`, for the hub's SMTP_URL. */
  url: string;
  /** Every mail received, in order. */
  mails: Mail[];
  close(): Promise<void>;
}

/** A real SMTP server on loopback that keeps what it receives (no auth, no TLS). */
export async function startSmtpInbox(): Promise<SmtpInbox> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
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
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
    mails,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A mail's text with quoted-printable soft line breaks joined. */
export const unfolded = (m: Mail): string => m.body.replace(/=\r?\n/g, '');

/** Signs a vendor up the way a hub with SMTP wants: from the link mailed to the address. */
export async function signupByMail(api: ApiClient, mails: readonly Mail[]): Promise<{ email: string; vendorId: string }> {
  const suffix = randomSuffix();
  const email = `admin-${suffix}@example.com`;
  const res = await api.post('/auth/signup', { email, password: 'a long enough password for tests', name: 'Ada Admin', vendorName: `Vendor ${suffix}` });
  if (res.status !== 202) throw new Error(`signup: ${res.status}`);
  const mail = await waitFor(() => mails.find((m) => m.to.includes(email) && /signup\/confirm/.test(unfolded(m))), 10_000, 'the sign-up mail');
  const token = /\/signup\/confirm\/([A-Za-z0-9_-]+)/.exec(unfolded(mail))?.[1];
  const confirmed = await api.post('/auth/signup/confirm', { token });
  if (confirmed.status !== 201) throw new Error(`signup confirm: ${confirmed.status}`);
  const me = await api.get<{ memberships: { vendorId: string; customerId: string | null }[] }>('/me');
  return { email, vendorId: me.body.memberships.find((m) => m.customerId === null)?.vendorId ?? '' };
}

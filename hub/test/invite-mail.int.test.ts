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

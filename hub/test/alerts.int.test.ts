import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert, AlertList, InstallationEventsPage, WebhookWithSecret } from '@flotilla/protocol';
import { ApiClient } from './api-client.js';
import { createTestDatabase, startTestHub, waitFor, type TestDatabase, type TestHub } from './helpers.js';
import { live as connectLive } from './identity-helpers.js';
import { signupByMail, startSmtpInbox, type Mail, type SmtpInbox } from './smtp-inbox.js';
import { connectAgent, host } from './sim-agent.js';

/**
 * Alert rules end to end: installations whose agents went away fire an "offline" rule once the
 * threshold passed (evaluated with the clock moved on), each as a signed `alert.firing` webhook on a
 * real receiver and on the installation's timeline, in ONE digest mail to the vendor admin (a real
 * SMTP server on loopback); an agent that comes back resolves its alert; a run with nothing new sends nothing.
 */
let tdb: TestDatabase;
let hub: TestHub;
let receiver: Server;
let smtp: SmtpInbox;
const received: { headers: IncomingHttpHeaders; body: string }[] = [];
let mails: Mail[] = [];

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', () => resolve()));
  smtp = await startSmtpInbox();
  mails = smtp.mails;
  tdb = await createTestDatabase();
  hub = await startTestHub({ databaseUrl: tdb.url, smtpUrl: smtp.url });
});

afterAll(async () => {
  await hub?.close();
  await tdb?.drop();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
  await smtp.close();
});

function verifies(secret: string, r: { headers: IncomingHttpHeaders; body: string }): boolean {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const mac = createHmac('sha256', key).update(`${String(r.headers['webhook-id'])}.${String(r.headers['webhook-timestamp'])}.${r.body}`).digest('base64');
  return String(r.headers['webhook-signature']).split(' ').includes(`v1,${mac}`);
}


const ofType = (type: string) => received.filter((r) => (JSON.parse(r.body) as { type: string }).type === type);

describe('alert rules', () => {
  it('fire and resolve as webhooks, timeline events and one coalesced digest mail', async () => {
    const admin = new ApiClient(hub.url);
    const { email, vendorId } = await signupByMail(admin, mails);
    const alertMails = () => mails.filter((m) => m.to.includes(email) && /Subject: .*alerts (firing|resolved)/.test(m.body));
    const digest = () => hub.app.services.notifications.sendDigests();
    const hook = (await admin.post<WebhookWithSecret>('/webhooks', { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/alerts`, events: ['alert.firing', 'alert.resolved'] })).body;
    const rule = await admin.post<{ id: string; threshold: number }>('/alert-rules', { name: 'Offline', kind: 'offline', threshold: 5 });
    expect(rule.status).toBe(201);
    expect((await admin.post('/alert-rules', { name: 'Bad', kind: 'offline', threshold: 0 })).status).toBe(400);

    const customer = (await admin.post<{ id: string }>('/customers', { name: 'Globex' })).body.id;
    const installations: { id: string; agentId: string; secret: string }[] = [];
    for (const name of ['a', 'b', 'c']) {
      const id = (await admin.post<{ id: string }>('/installations', { customerId: customer, name, environment: 'production', agentKind: 'compose' })).body.id;
      const creds = (await admin.post<{ agentId: string; secret: string }>(`/installations/${id}/agent-credentials`)).body;
      const agent = await connectAgent(hub.url, creds.agentId, creds.secret);
      await agent.emitWithAck('agent:hello', { host, appliedRevision: 0, components: [] });
      agent.close();
      installations.push({ id, ...creds });
    }
    await waitFor(async () => ((await admin.get<{ items: { online: boolean }[] }>('/installations')).body.items.every((i) => !i.online) ? true : undefined), 10_000, 'all offline');

    // The vendor's portal, live: an outage's alerts arrive as one message, not one per installation.
    const liveSocket = await connectLive(hub.url, { cookie: admin.sessionCookie ?? '' });
    const liveAlerts: { event: string; alerts: Alert[] }[] = [];
    liveSocket.on('alert:changed', (a: Alert) => liveAlerts.push({ event: 'alert:changed', alerts: [a] }));
    liveSocket.on('alert:changes', (batch: Alert[]) => liveAlerts.push({ event: 'alert:changes', alerts: batch }));

    // Not yet: offline for less than 5 minutes.
    expect(await hub.app.services.alerts.evaluateVendor(vendorId)).toEqual({ fired: 0, resolved: 0 });
    // Six minutes later: all three fire.
    expect(await hub.app.services.alerts.evaluateVendor(vendorId, Date.now() + 6 * 60_000)).toEqual({ fired: 3, resolved: 0 });
    const firing = (await admin.get<AlertList>('/alerts')).body.items;
    expect(firing.map((a) => a.installationId).sort()).toEqual(installations.map((i) => i.id).sort());
    expect(firing[0]).toMatchObject({ ruleId: rule.body.id, kind: 'offline', state: 'firing', resolvedAt: null });
    await waitFor(() => (ofType('alert.firing').length >= 3 ? true : undefined), 15_000, 'three alert.firing webhooks');
    await waitFor(() => (liveAlerts.length > 0 ? true : undefined), 10_000, 'the live alerts');
    expect(liveAlerts.map((m) => [m.event, m.alerts.map((a) => a.installationId).sort()])).toEqual([['alert:changes', installations.map((i) => i.id).sort()]]);
    for (const r of ofType('alert.firing')) expect(verifies(hook.secret, r)).toBe(true);
    // The webhooks went out: the outbox has queued the digest items in the same transaction.
    expect(await digest()).toMatchObject({ mails: 1, items: 3 });
    const mail = await waitFor(() => alertMails()[0], 10_000, 'the alert mail');
    expect(mail.body).toContain('Alerts firing (3)');
    expect(alertMails()).toHaveLength(1);
    const timeline = (await admin.get<InstallationEventsPage>(`/installations/${installations[0]?.id ?? ''}/events`)).body.items;
    expect(timeline[0]).toMatchObject({ type: 'alert' });
    expect(timeline[0]?.message).toMatch(/^Offline firing: offline for \d+ min/);

    // Same again: nothing new, nothing sent.
    expect(await hub.app.services.alerts.evaluateVendor(vendorId, Date.now() + 6 * 60_000)).toEqual({ fired: 0, resolved: 0 });

    // One agent comes back: its alert resolves.
    const back = installations[1];
    if (!back) throw new Error('no installation');
    const agent = await connectAgent(hub.url, back.agentId, back.secret);
    await agent.emitWithAck('agent:hello', { host, appliedRevision: 0, components: [] });
    await waitFor(async () => ((await admin.get<{ online: boolean }>(`/installations/${back.id}/status`)).body.online ? true : undefined), 10_000, 'back online');
    expect(await hub.app.services.alerts.evaluateVendor(vendorId, Date.now() + 6 * 60_000)).toEqual({ fired: 0, resolved: 1 });
    agent.close();
    const resolved = await waitFor(() => ofType('alert.resolved')[0], 15_000, 'the alert.resolved webhook');
    expect(JSON.parse(resolved.body)).toMatchObject({ data: { installationId: back.id, alert: { state: 'resolved', kind: 'offline' } } });
    // A single change is a single `alert:changed`.
    await waitFor(() => (liveAlerts.length === 2 ? true : undefined), 10_000, 'the live resolve');
    expect(liveAlerts[1]).toMatchObject({ event: 'alert:changed', alerts: [{ installationId: back.id, state: 'resolved' }] });
    liveSocket.close();
    expect((await admin.get<AlertList>('/alerts')).body.items).toHaveLength(2);
    expect((await admin.get<AlertList>('/alerts?state=resolved')).body.items.map((a) => a.installationId)).toEqual([back.id]);
    expect(await digest()).toMatchObject({ mails: 1, items: 1 });
    await waitFor(() => (alertMails().length === 2 ? true : undefined), 10_000, 'the second mail');
    expect(alertMails()[1]?.body).toContain('Alerts resolved (1)');

    // Disabling the rule resolves what it raised.
    expect((await admin.call('PATCH', `/alert-rules/${rule.body.id}`, { enabled: false })).status).toBe(200);
    expect(await hub.app.services.alerts.evaluateVendor(vendorId, Date.now() + 6 * 60_000)).toEqual({ fired: 0, resolved: 2 });
    expect((await admin.get<AlertList>('/alerts')).body.items).toEqual([]);
  });
});

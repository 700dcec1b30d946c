import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Webhook, WebhookDelivery, WebhookDeliveryPage, WebhookWithSecret } from '@flotilla/protocol';
import { ApiClient, COMPOSE_V1 } from './api-client.js';
import { createTestDatabase, metricSample, randomSuffix, startTestHub, waitFor, type TestDatabase, type TestHub } from './helpers.js';
import { startSmtpInbox, type Mail, type SmtpInbox } from './smtp-inbox.js';
import { connectAgent, host } from './sim-agent.js';

/**
 * Outbound webhooks end to end: a real hub, a real HTTP receiver on loopback that checks every
 * signature with the Standard Webhooks algorithm written here from the spec (not the hub's code),
 * retries of a failing-then-recovering endpoint, an endpoint that keeps failing disabled (audit and
 * mail through a real SMTP server on loopback), and a disabled endpoint that receives nothing.
 */

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

let tdb: TestDatabase;
let hub: TestHub;
let receiver: Server;
let base: string;
let smtp: SmtpInbox;
const received: Received[] = [];
let mails: Mail[] = [];
/** Per path: how many more requests answer 500 (Infinity: always). */
const failures = new Map<string, number>();

/** Standard Webhooks verification, from the spec: HMAC-SHA256 over `id.timestamp.body`, key = base64 after `whsec_`. */
function verifies(secret: string, r: Received): boolean {
  const id = r.headers['webhook-id'];
  const timestamp = r.headers['webhook-timestamp'];
  const signatures = r.headers['webhook-signature'];
  if (typeof id !== 'string' || typeof timestamp !== 'string' || typeof signatures !== 'string') return false;
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return false;
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${r.body}`).digest();
  return signatures.split(' ').some((s) => {
    const [version, value] = s.split(',');
    const given = Buffer.from(value ?? '', 'base64');
    return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
  });
}

const at = (path: string) => received.filter((r) => r.path === path);
const typeOf = (r: Received) => (JSON.parse(r.body) as { type: string }).type;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const path = req.url ?? '/';
      received.push({ path, headers: req.headers, body, at: Date.now() });
      const left = failures.get(path) ?? 0;
      if (left > 0) {
        failures.set(path, left - 1);
        res.writeHead(500).end('receiver down for maintenance');
      } else res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', () => resolve()));
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  smtp = await startSmtpInbox();
  mails = smtp.mails;
  tdb = await createTestDatabase();
  hub = await startTestHub({
    databaseUrl: tdb.url,
    smtpUrl: smtp.url,
    // Three attempts 200 ms, 400 ms apart; an endpoint failing when a delivery gives up is disabled at once.
    webhooks: { maxAttempts: 3, retryBaseMs: 200, disableAfterMs: 0 },
  });
});

afterAll(async () => {
  await hub?.close();
  await tdb?.drop();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
  await smtp.close();
});

/** Signs a vendor up the way a hub with SMTP wants: from the link mailed to the address. */
async function signupByMail(api: ApiClient): Promise<{ email: string; vendorId: string }> {
  const suffix = randomSuffix();
  const email = `admin-${suffix}@example.com`;
  const res = await api.post('/auth/signup', { email, password: 'a long enough password for tests', name: 'Ada Admin', vendorName: `Vendor ${suffix}` });
  expect(res.status).toBe(202);
  const mail = await waitFor(() => mails.find((m) => m.to.includes(email) && /signup\/confirm/.test(m.body.replace(/=\r?\n/g, ''))), 10_000, 'the sign-up mail');
  const token = /\/signup\/confirm\/([A-Za-z0-9_-]+)/.exec(mail.body.replace(/=\r?\n/g, ''))?.[1];
  expect((await api.post('/auth/signup/confirm', { token })).status).toBe(201);
  const me = await api.get<{ memberships: { vendorId: string; customerId: string | null }[] }>('/me');
  const vendorId = me.body.memberships.find((m) => m.customerId === null)?.vendorId ?? '';
  return { email, vendorId };
}

async function vendor(): Promise<{ admin: ApiClient; email: string; vendorId: string }> {
  const admin = new ApiClient(hub.url);
  return { admin, ...(await signupByMail(admin)) };
}

async function createHook(client: ApiClient, path: string, events: string[] = []): Promise<WebhookWithSecret> {
  const res = await client.post<WebhookWithSecret>('/webhooks', { url: `${base}${path}`, description: path, events });
  expect(res.status).toBe(201);
  expect(res.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
  return res.body;
}

/** A locked release: the `release.locked` event. */
async function lockRelease(admin: ApiClient): Promise<string> {
  const app = (await admin.post<{ id: string }>('/applications', { name: `app-${randomSuffix()}`, kind: 'compose' })).body.id;
  const version = (await admin.post<{ id: string }>(`/applications/${app}/versions`, { version: '1.0.0', compose: { file: COMPOSE_V1 } })).body.id;
  const track = (await admin.post<{ id: string }>('/tracks', { name: `t-${randomSuffix()}`, applicationIds: [app] })).body.id;
  const release = (await admin.post<{ id: string }>(`/tracks/${track}/releases`, { version: '1.0.0', stages: [[{ applicationId: app, versionId: version }]] })).body.id;
  expect((await admin.post(`/releases/${release}/lock`)).status).toBe(200);
  return release;
}

async function deliveries(client: ApiClient, hookId: string): Promise<WebhookDelivery[]> {
  const res = await client.get<WebhookDeliveryPage>(`/webhooks/${hookId}/deliveries`);
  expect(res.status).toBe(200);
  return res.body.items;
}

describe('webhook endpoints', () => {
  it('shows the secret once, filters by event type and signs per Standard Webhooks', async () => {
    const { admin, vendorId } = await vendor();
    const all = await createHook(admin, `/all-${randomSuffix()}`);
    const onlyOffline = await createHook(admin, `/offline-${randomSuffix()}`, ['installation.offline']);
    const got = await admin.get<Webhook & { secret?: string }>(`/webhooks/${all.id}`);
    expect(got.status).toBe(200);
    expect(got.body.secret).toBeUndefined();
    expect((await admin.get<{ items: Webhook[] }>('/webhooks')).body.items.map((w) => w.id).sort()).toEqual([all.id, onlyOffline.id].sort());

    const releaseId = await lockRelease(admin);
    const customer = (await admin.post<{ id: string }>('/customers', { name: 'Globex' })).body.id;
    const installation = (await admin.post<{ id: string }>('/installations', { customerId: customer, name: 'main', environment: 'production', agentKind: 'compose' })).body.id;
    const creds = (await admin.post<{ agentId: string; secret: string }>(`/installations/${installation}/agent-credentials`)).body;
    const agent = await connectAgent(hub.url, creds.agentId, creds.secret);
    await agent.emitWithAck('agent:hello', { host, appliedRevision: 0, components: [] });
    agent.close();

    const path = new URL(all.url).pathname;
    const types = await waitFor(() => {
      const t = at(path).map(typeOf);
      return ['release.locked', 'installation.online', 'installation.offline'].every((x) => t.includes(x)) ? t : undefined;
    }, 20_000, 'the three events at the catch-all endpoint');
    expect(types).toEqual(expect.arrayContaining(['release.locked', 'installation.online', 'installation.offline']));
    for (const r of at(path)) {
      expect(verifies(all.secret, r)).toBe(true);
      expect(verifies(onlyOffline.secret, r)).toBe(false);
      expect(r.headers['content-type']).toBe('application/json');
    }
    const locked = JSON.parse(at(path).find((r) => typeOf(r) === 'release.locked')?.body ?? '{}') as { timestamp: string; data: Record<string, unknown> };
    expect(locked.data).toMatchObject({ vendorId, releaseId });
    const offline = JSON.parse(at(path).find((r) => typeOf(r) === 'installation.offline')?.body ?? '{}') as { data: Record<string, unknown> };
    expect(offline.data).toMatchObject({ vendorId, customerId: customer, installationId: installation });

    // The filtered endpoint gets only its type, with the same message id as the other endpoint's copy.
    const offlinePath = new URL(onlyOffline.url).pathname;
    await waitFor(() => at(offlinePath).length > 0 || undefined, 10_000, 'the offline event');
    expect(at(offlinePath).map(typeOf)).toEqual(['installation.offline']);
    expect(verifies(onlyOffline.secret, at(offlinePath)[0] as Received)).toBe(true);
    expect(at(offlinePath)[0]?.headers['webhook-id']).toBe(at(path).find((r) => typeOf(r) === 'installation.offline')?.headers['webhook-id']);

    const log = await waitFor(async () => {
      const items = await deliveries(admin, all.id);
      return items.length >= 3 && items.every((d) => d.status === 'succeeded') ? items : undefined;
    }, 10_000, 'the delivery log');
    expect(log[0]).toMatchObject({ webhookId: all.id, attempts: 1, responseStatus: 204, error: null });
    expect(log[0]?.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('a customer organisation’s endpoint gets events about its own installations only', async () => {
    const { admin } = await vendor();
    const x = (await admin.post<{ id: string }>('/customers', { name: 'X' })).body.id;
    const y = (await admin.post<{ id: string }>('/customers', { name: 'Y' })).body.id;
    const email = `x-${randomSuffix()}@example.com`;
    const invite = await admin.post<{ inviteUrl: string }>('/invites', { email, role: 'admin', customerId: x });
    const xAdmin = new ApiClient(hub.url);
    expect((await xAdmin.post(`/invites/${invite.body.inviteUrl.split('/').pop() ?? ''}/accept`, { name: 'X admin', password: 'a long enough password' })).status).toBe(200);
    const hook = await createHook(xAdmin, `/customer-${randomSuffix()}`);
    expect(hook.customerId).toBe(x);
    // The vendor does not see (or reach) the customer's endpoint, and the other way round.
    expect((await admin.get(`/webhooks/${hook.id}`)).status).toBe(404);
    expect((await admin.get<{ items: Webhook[] }>('/webhooks')).body.items).toEqual([]);

    await lockRelease(admin);
    for (const customerId of [y, x]) {
      const inst = (await admin.post<{ id: string }>('/installations', { customerId, name: 'main', environment: 'production', agentKind: 'compose' })).body.id;
      const creds = (await admin.post<{ agentId: string; secret: string }>(`/installations/${inst}/agent-credentials`)).body;
      const agent = await connectAgent(hub.url, creds.agentId, creds.secret);
      agent.close();
    }
    const path = new URL(hook.url).pathname;
    await waitFor(() => at(path).filter((r) => typeOf(r) === 'installation.offline').length > 0 || undefined, 20_000, 'X installation offline');
    // Y's installation connected first and the release was locked before: none of it reached X.
    await new Promise((r) => setTimeout(r, 500));
    for (const r of at(path)) {
      expect((JSON.parse(r.body) as { data: { customerId: string } }).data.customerId).toBe(x);
      expect(verifies(hook.secret, r)).toBe(true);
    }
    expect(at(path).map(typeOf).sort()).toEqual(['installation.offline', 'installation.online']);
  });
});

describe('delivery', () => {
  it('retries a failing endpoint with backoff until it recovers', async () => {
    const { admin } = await vendor();
    const path = `/flaky-${randomSuffix()}`;
    failures.set(path, 2);
    const attempts = async (outcome: string) => metricSample(await (await fetch(`${hub.url}/metrics`)).text(), 'flotilla_webhook_delivery_seconds_count', { outcome }) ?? 0;
    const before = { retrying: await attempts('retrying'), succeeded: await attempts('succeeded') };
    const hook = await createHook(admin, path, ['release.locked']);
    await lockRelease(admin);
    const done = await waitFor(async () => (await deliveries(admin, hook.id)).find((d) => d.status === 'succeeded'), 20_000, 'the delivery to succeed');
    expect(done.attempts).toBe(3);
    const tries = at(path);
    expect(tries).toHaveLength(3);
    // One message: the same id on every attempt, each signed afresh.
    expect(new Set(tries.map((r) => r.headers['webhook-id'])).size).toBe(1);
    for (const r of tries) expect(verifies(hook.secret, r)).toBe(true);
    // Exponential backoff: 200 ms, then 400 ms.
    const [t0, t1, t2] = tries.map((r) => r.at) as [number, number, number];
    expect(t1 - t0).toBeGreaterThanOrEqual(180);
    expect(t2 - t1).toBeGreaterThanOrEqual(380);
    const gone = (await admin.get<Webhook>(`/webhooks/${hook.id}`)).body;
    expect(gone.enabled).toBe(true);
    // The hub's own metrics count each attempt by outcome (other tests' deliveries may add to them).
    expect(await attempts('retrying')).toBeGreaterThanOrEqual(before.retrying + 2);
    expect(await attempts('succeeded')).toBeGreaterThanOrEqual(before.succeeded + 1);
  });

  it('disables an endpoint that keeps failing, tells its admins, and a disabled endpoint receives nothing', async () => {
    const { admin, email } = await vendor();
    const path = `/down-${randomSuffix()}`;
    failures.set(path, Number.POSITIVE_INFINITY);
    const hook = await createHook(admin, path, ['release.locked']);
    await lockRelease(admin);
    const failed = await waitFor(async () => (await deliveries(admin, hook.id)).find((d) => d.status === 'failed'), 20_000, 'the delivery to give up');
    expect(failed).toMatchObject({ attempts: 3, responseStatus: 500, responseExcerpt: 'receiver down for maintenance' });
    const disabled = await waitFor(async () => {
      const w = (await admin.get<Webhook>(`/webhooks/${hook.id}`)).body;
      return w.enabled ? undefined : w;
    }, 10_000, 'the endpoint to be disabled');
    expect(disabled.disabledReason).toMatch(/disabled automatically/);
    const audit = await admin.get<{ items: { action: string; target: { id: string }; details: Record<string, unknown> }[] }>('/audit?action=webhook.update');
    expect(audit.body.items.find((e) => e.target.id === hook.id)?.details).toMatchObject({ enabled: false, automatic: true });
    const mail = await waitFor(() => mails.find((m) => m.to.includes(email) && /Webhook disabled/.test(m.body)), 10_000, 'the mail to the vendor admin');
    expect(mail.body).toContain(path);

    // Disabled: new events make no delivery and reach nothing.
    const before = at(path).length;
    await lockRelease(admin);
    expect((await admin.post(`/webhooks/${hook.id}/test`)).status).toBe(409);
    await new Promise((r) => setTimeout(r, 1500));
    expect(at(path)).toHaveLength(before);
    expect(await deliveries(admin, hook.id)).toHaveLength(1);

    // Enabled again (and the receiver fixed): a redelivery of the failed message goes through.
    failures.set(path, 0);
    const enabled = await admin.call<Webhook>('PATCH', `/webhooks/${hook.id}`, { enabled: true });
    expect(enabled.body).toMatchObject({ enabled: true, disabledReason: null });
    const redelivered = await admin.post<WebhookDelivery>(`/webhooks/${hook.id}/deliveries/${failed.id}/redeliver`);
    expect(redelivered.status).toBe(202);
    const ok = await waitFor(async () => (await deliveries(admin, hook.id)).find((d) => d.id === failed.id && d.status === 'succeeded'), 10_000, 'the redelivery');
    expect(ok.attempts).toBe(4);
    expect(at(path).at(-1)?.headers['webhook-id']).toBe(failed.messageId);
  });

  it('a disabled endpoint stops receiving, an enabled one goes on', async () => {
    const { admin } = await vendor();
    const off = await createHook(admin, `/off-${randomSuffix()}`, ['release.locked']);
    const on = await createHook(admin, `/on-${randomSuffix()}`, ['release.locked']);
    expect((await admin.call('PATCH', `/webhooks/${off.id}`, { enabled: false })).status).toBe(200);
    await lockRelease(admin);
    await waitFor(() => at(new URL(on.url).pathname).length > 0 || undefined, 10_000, 'the enabled endpoint');
    await new Promise((r) => setTimeout(r, 500));
    expect(at(new URL(off.url).pathname)).toHaveLength(0);
    expect(await deliveries(admin, off.id)).toHaveLength(0);
  });

  it('sends a test message; after a rotation both the old and the new secret verify', async () => {
    const { admin } = await vendor();
    const hook = await createHook(admin, `/rotate-${randomSuffix()}`);
    const path = new URL(hook.url).pathname;
    const rotated = await admin.post<WebhookWithSecret>(`/webhooks/${hook.id}/rotate-secret`, { overlapHours: 1 });
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).not.toBe(hook.secret);
    expect(rotated.body.previousSecretExpiresAt).not.toBeNull();
    const test = await admin.post<WebhookDelivery>(`/webhooks/${hook.id}/test`);
    expect(test.status).toBe(202);
    expect(test.body.eventType).toBe('webhook.test');
    const r = await waitFor(() => at(path)[0], 10_000, 'the test message');
    expect(typeOf(r)).toBe('webhook.test');
    expect(String(r.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verifies(rotated.body.secret, r)).toBe(true);
    expect(verifies(hook.secret, r)).toBe(true);

    // Without overlap the old secret stops at once.
    const again = await admin.post<WebhookWithSecret>(`/webhooks/${hook.id}/rotate-secret`, { overlapHours: 0 });
    expect((await admin.post(`/webhooks/${hook.id}/test`)).status).toBe(202);
    const r2 = await waitFor(() => at(path)[1], 10_000, 'the second test message');
    expect(verifies(again.body.secret, r2)).toBe(true);
    expect(verifies(rotated.body.secret, r2)).toBe(false);
  });

  it('keeps signing secrets sealed at rest; a secret stored plain before SECRETS_KEY was set is sealed and still signs', async () => {
    const { admin } = await vendor();
    const hook = await createHook(admin, `/sealed-${randomSuffix()}`);
    const path = new URL(hook.url).pathname;
    const stored = async () => (await hub.infra.db('webhook_endpoints').where({ id: hook.id }).first<{ secret: string }>()).secret;
    expect(await stored()).toMatch(/^enc:v1:/);
    expect(await stored()).not.toContain(hook.secret.replace(/^whsec_/, ''));

    // As a hub that ran without a key left it: plain. Maintenance seals it; messages still verify.
    await hub.infra.db('webhook_endpoints').where({ id: hook.id }).update({ secret: hook.secret });
    expect(await hub.app.services.sealPlaintextSecrets()).toBeGreaterThanOrEqual(1);
    expect(await stored()).toMatch(/^enc:v1:/);
    expect((await admin.post(`/webhooks/${hook.id}/test`)).status).toBe(202);
    const r = await waitFor(() => at(path)[0], 10_000, 'the test message');
    expect(verifies(hook.secret, r)).toBe(true);
  });

  it('an event the outbox hands over again is not delivered twice: one delivery per message and endpoint', async () => {
    const { admin } = await vendor();
    const path = `/once-${randomSuffix()}`;
    const hook = await createHook(admin, path, ['release.locked']);
    await lockRelease(admin);
    await waitFor(() => at(path)[0], 10_000, 'the delivery');
    const db = hub.infra.db;
    const delivery: { message_id: string } = await db('webhook_deliveries').where({ endpoint_id: hook.id }).first();
    expect(delivery.message_id).toMatch(/^msg_al\d+$/);
    // As an outbox reading the same rows again (it is at least once): its audit_log cursor rewound to just before the event.
    const source: { xid: string; id: string } = await db('audit_log').where({ id: delivery.message_id.slice('msg_al'.length) }).first(db.raw('xid::text AS xid'), db.raw('id::text AS id'));
    await db('event_outbox_cursors').where({ source: 'audit_log' }).update({ xid: db.raw('?::xid8', [source.xid]), id: String(BigInt(source.id) - 1n) });
    await hub.app.services.eventOutbox.run();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(at(path)).toHaveLength(1);
    expect(await db('webhook_deliveries').where({ endpoint_id: hook.id }).count({ n: '*' })).toEqual([{ n: 1 }]);
  });

  it('queues again a delivery whose job was lost (sent once), and purges finished deliveries past retention', async () => {
    const { admin } = await vendor();
    const hook = await createHook(admin, `/stranded-${randomSuffix()}`);
    const path = new URL(hook.url).pathname;
    const db = hub.infra.db;
    const insert = async (status: string, ageMs: number) => {
      const [row] = (await db('webhook_deliveries')
        .insert({ endpoint_id: hook.id, message_id: `msg_${randomSuffix()}`, event_type: 'webhook.test', payload: JSON.stringify({ type: 'webhook.test', data: {} }), status, created_at: new Date(Date.now() - ageMs) })
        .returning('id')) as { id: string }[];
      return String(row?.id);
    };
    // As a hub that stopped between the outbox's commit and queueing left it: written, never queued.
    const stranded = await insert('pending', 10 * 60_000);
    const fresh = await insert('pending', 0);
    await hub.app.services.webhookDelivery.housekeeping();
    const r = await waitFor(() => at(path)[0], 10_000, 'the stranded delivery');
    expect(verifies(hook.secret, r)).toBe(true);
    await waitFor(async () => (await db('webhook_deliveries').where({ id: stranded }).first<{ status: string }>()).status === 'succeeded' || undefined, 10_000, 'the delivery marked');
    // Found again later: the attempt re-reads its status and sends nothing twice. A just-written one is left to its own job.
    await hub.app.services.webhookDelivery.housekeeping();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(at(path)).toHaveLength(1);
    expect((await db('webhook_deliveries').where({ id: fresh }).first<{ attempts: number }>()).attempts).toBe(0);

    // Retention: finished deliveries older than 30 days go; one still retrying stays, whatever its age.
    await db('webhook_deliveries').where({ id: stranded }).update({ created_at: new Date(Date.now() - 31 * 24 * 3600_000) });
    const retrying = await insert('retrying', 31 * 24 * 3600_000);
    expect((await hub.app.services.webhookDelivery.housekeeping()).purged).toBeGreaterThanOrEqual(1);
    expect(await db('webhook_deliveries').where({ id: stranded }).first()).toBeUndefined();
    expect(await db('webhook_deliveries').where({ id: retrying }).first()).toBeDefined();
  });

  it('refuses bad input with clear errors', async () => {
    const { admin } = await vendor();
    expect((await admin.post('/webhooks', { url: 'ftp://example.com/x' })).status).toBe(400);
    expect((await admin.post('/webhooks', { url: 'https://example.com/x', events: ['no.such'] })).status).toBe(400);
    expect((await admin.get('/webhooks/not-a-uuid')).status).toBe(404);
    const hook = await createHook(admin, `/x-${randomSuffix()}`);
    expect((await admin.post(`/webhooks/${hook.id}/deliveries/abc/redeliver`)).status).toBe(404);
    expect((await admin.post(`/webhooks/${hook.id}/deliveries/99999999/redeliver`)).status).toBe(404);
    expect((await admin.call('DELETE', `/webhooks/${hook.id}`)).status).toBe(204);
    expect((await admin.get(`/webhooks/${hook.id}`)).status).toBe(404);
  });
});

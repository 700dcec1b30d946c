import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_NOTIFICATION_PREFERENCES, VENDOR_NOTIFICATION_EVENTS, type NotificationPreferences } from '@flotilla/protocol';
import { COMPOSE_V1 } from './api-client.js';
import { createTestDatabase, startTestHub, waitFor, type TestDatabase, type TestHub } from './helpers.js';
import { join, Session } from './identity-helpers.js';
import { signupByMail, startSmtpInbox, unfolded, type Mail, type SmtpInbox } from './smtp-inbox.js';
import { connectAgent, host, type AgentSocket } from './sim-agent.js';

/**
 * E-mail notifications end to end, on a real SMTP server on loopback: 520 installations go offline
 * (real agents connecting and leaving) and a release becomes available; the vendor admin who asked
 * for "offline for 1 minute" gets ONE digest counting all 520, the vendor viewer who switched mail off
 * gets nothing, the customer whose installations follow the track gets one "update available" digest
 * and the other customer nothing. The queue survives a hub restart in between, and two digest runs at
 * once send each digest once.
 */
const OUTAGE = 520;
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
  await hub?.close();
  await tdb?.drop();
  await smtp?.close();
});

const prefsOf = async (s: Session) => (await s.get<NotificationPreferences>('/me/notification-preferences')).body;
const mailsTo = (email: string) => mails.filter((m) => m.to.includes(email) && !/invite|signup/i.test(unfolded(m)));
const queued = async () => Number(((await hub.infra.db('notification_queue').count('* as n')) as { n: string }[])[0]?.n);

async function pool<T>(items: T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await fn(items[next++] as T);
  }));
}

describe('notification digests', () => {
  it('turn an outage of hundreds into one mail per subscriber, only of their own tenant, across a restart', async () => {
    const admin = new Session(hub.url, []);
    const { email: adminEmail, vendorId } = await signupByMail(admin, mails);
    admin.vendorId = vendorId;
    const viewer = await join(admin, 'viewer');

    // Defaults, then choices; what is not the user's to choose is refused.
    expect(await prefsOf(viewer)).toEqual({ ...DEFAULT_NOTIFICATION_PREFERENCES, events: VENDOR_NOTIFICATION_EVENTS.filter((e) => e !== 'installation.offline'), available: [...VENDOR_NOTIFICATION_EVENTS], digestSeconds: 3600 });
    expect((await viewer.call('PUT', '/me/notification-preferences', { email: false })).status).toBe(200);
    expect((await admin.call('PUT', '/me/notification-preferences', { events: ['update.available'] })).status).toBe(400);
    expect((await admin.call('PUT', '/me/notification-preferences', { offlineMinutes: 0 })).status).toBe(400);
    const chosen = await admin.call<NotificationPreferences>('PUT', '/me/notification-preferences', { events: ['installation.offline', 'alert.firing'], offlineMinutes: 1 });
    expect(chosen.body).toMatchObject({ email: true, events: ['installation.offline', 'alert.firing'], offlineMinutes: 1 });

    const app = (await admin.post<{ id: string }>('/applications', { name: 'Shop', kind: 'compose' })).body.id;
    const track = (await admin.post<{ id: string }>('/tracks', { name: 'Stable', applicationIds: [app] })).body.id;
    const globex = (await admin.post<{ id: string }>('/customers', { name: 'Globex' })).body.id;
    const initech = (await admin.post<{ id: string }>('/customers', { name: 'Initech' })).body.id;
    expect((await admin.post('/entitlements', { customerId: globex, trackId: track })).status).toBe(201);
    const globexUser = await join(admin, 'viewer', globex);
    const initechUser = await join(admin, 'viewer', initech);
    expect((await prefsOf(globexUser)).available).toEqual(['update.available', 'approval.requested', 'maintenance.scheduled']);

    // The outage: every agent connects once and goes away.
    const sites = Array.from({ length: OUTAGE }, (_, i) => i);
    const agents: AgentSocket[] = [];
    await pool(sites, 8, async (i) => {
      const customerId = i < OUTAGE - 20 ? globex : initech;
      const id = (await admin.post<{ id: string }>('/installations', { customerId, name: `${customerId === globex ? 'globex' : 'initech'}-${i}`, environment: 'production', agentKind: 'compose', ...(customerId === globex ? { trackId: track } : {}) })).body.id;
      const creds = (await admin.post<{ agentId: string; secret: string }>(`/installations/${id}/agent-credentials`)).body;
      const agent = await connectAgent(hub.url, creds.agentId, creds.secret);
      await agent.emitWithAck('agent:hello', { host, appliedRevision: 0, components: [] });
      agents.push(agent);
    });
    for (const a of agents) a.close();
    // A release on Globex's track: an update available to Globex only.
    const version = (await admin.post<{ id: string }>(`/applications/${app}/versions`, { version: '1.0.0', compose: { file: COMPOSE_V1 } })).body.id;
    const release = (await admin.post<{ id: string }>(`/tracks/${track}/releases`, { version: '1.0.0', stages: [[{ applicationId: app, versionId: version }]] })).body.id;
    expect((await admin.post(`/releases/${release}/lock`)).status).toBe(200);
    const byEvent = async () => Object.fromEntries(((await hub.infra.db('notification_queue').groupBy('event').select('event').count('* as n')) as { event: string; n: string }[]).map((r) => [r.event, Number(r.n)]));
    const offlineNow = async () => Number(((await hub.infra.db('installations').where({ online: false }).count('* as n')) as { n: string }[])[0]?.n);
    // Each installation went offline (one that flapped under load may be queued twice: the digest folds it).
    const offlineInstallations = async () => Number(((await hub.infra.db('notification_queue').where({ event: 'installation.offline' }).countDistinct('installation_id as n')) as { n: string }[])[0]?.n);
    await waitFor(async () => ((await offlineInstallations()) >= OUTAGE && (await byEvent())['update.available'] === 1 ? true : undefined), 90_000, 'the queue').catch(async (err: unknown) => {
      throw new Error(`${String(err)}; queued ${JSON.stringify(await byEvent())}, offline installations ${await offlineNow()}`);
    });
    expect(await offlineInstallations()).toBe(OUTAGE);
    expect((await byEvent())['update.available']).toBe(1);

    // A restart loses nothing: the queue is a table.
    await hub.close();
    hub = await startTestHub({ databaseUrl: tdb.url, smtpUrl: smtp.url });
    // Two runs at once (as two hub processes would), with the clock past the admin's minute.
    const later = new Date(Date.now() + 2 * 60_000);
    const runs = await Promise.all([hub.app.services.notifications.sendDigests(later), hub.app.services.notifications.sendDigests(later)]);
    expect(await queued()).toBe(0);
    // Every item went out once, duplicates folded: 520 installations offline and one update.
    expect(runs.reduce((n, r) => n + r.items, 0)).toBe(OUTAGE + 1);

    const adminMail = await waitFor(() => mailsTo(adminEmail)[0], 10_000, "the admin's digest");
    const adminText = unfolded(adminMail);
    expect(adminText).toMatch(new RegExp(`Subject: .*${OUTAGE} installations offline`));
    expect(adminText).toContain(`Installations offline (${OUTAGE}):`);
    expect(adminText).toContain(`and ${OUTAGE - 20} more`);
    const globexMail = await waitFor(() => mailsTo(globexUser.email)[0], 10_000, "Globex's digest");
    expect(unfolded(globexMail)).toMatch(/Updates available \(1\):\r?\n- Stable 1\.0\.0 is available/);
    expect(unfolded(globexMail)).not.toMatch(/initech-|offline/);
    // Nothing else comes: one digest each, none for who opted out or whom it does not concern.
    await new Promise((r) => setTimeout(r, 500));
    expect(mailsTo(adminEmail)).toHaveLength(1);
    expect(mailsTo(globexUser.email)).toHaveLength(1);
    expect(mailsTo(viewer.email)).toEqual([]);
    expect(mailsTo(initechUser.email)).toEqual([]);
    expect(await hub.app.services.notifications.sendDigests(later)).toEqual({ mails: 0, items: 0, more: false });
    // Seeding 520 installations with their agents is most of the time.
  }, 180_000);
});

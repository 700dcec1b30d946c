import { Api } from './api.js';
import { sleep } from './hub.js';
import { UsageMeter } from './proc.js';
import { BENCH_PASSWORD } from './seed.js';
import { closestMailGap, mailsPerUser } from './event-figures.js';
import type { EventSinks, ReceivedMail } from './event-sinks.js';
import { ensureConnected, ensureFloor, latencyRows, measureFanouts, row, usageRows, type BenchContext, type Scenario } from './scenario-kit.js';

/** What the outage scenario needs of the hub's configuration (set when it starts; see run.ts). */
export const OUTAGE_HUB_ENV: Readonly<Record<string, string>> = {
  // The receiver is on loopback, which the hub refuses unless told (SSRF protection).
  WEBHOOK_ALLOW_PRIVATE: 'true',
  // Shorter than production (300 s, 60 s, 60 s) so the scenario takes minutes, not an hour.
  NOTIFY_DIGEST_SECONDS: '10',
  ALERT_EVALUATION_SECONDS: '10',
  WEBHOOK_RETRY_BASE_SECONDS: '5',
};

const SCENARIO = 'outage';
/** The events the vendor's endpoint subscribes to: four per installation for an outage and its end. */
const EVENTS = ['installation.offline', 'installation.online', 'alert.firing', 'alert.resolved'] as const;
/** Vendor users subscribed by e-mail (the admin who signed up and two invited colleagues). */
const INVITED_USERS = 2;
/** Both the alert rule and the users' "offline for" delay: the smallest the hub allows. */
const OFFLINE_MINUTES = 1;
/** "Not slowed": the fan-out's p99 while deliveries flow at most this many times the quiet one. */
export const FANOUT_SLOWDOWN_LIMIT = 1.5;
/** The digest interval production uses (NOTIFY_DIGEST_SECONDS' default), for what this outage would mail there. */
const PRODUCTION_DIGEST_SECONDS = 300;
/** Rollouts per side of the fan-out comparison (pooled): before the outage, and while deliveries flow. */
const FANOUT_RUNS = 2;

const unfold = (m: ReceivedMail) => m.body.replace(/=\r?\n/g, '');
/** A notification digest (not an invite or a sign-up): it links to the user's notification settings. */
const isDigest = (m: ReceivedMail) => unfold(m).includes('/settings/notifications');

/**
 * Waits until `done()`, logging progress every 15 s. Gives up after `timeoutMs`, or earlier when
 * `progress()` has not changed for `stallMs` (nothing moves: waiting longer shows nothing new).
 * Returns whether it was done.
 */
async function waitUntil(ctx: BenchContext, what: string, limits: { timeoutMs: number; stallMs?: number }, done: () => Promise<boolean>, progress: () => string): Promise<boolean> {
  const t0 = Date.now();
  let logged = t0;
  let last = progress();
  let changedAt = t0;
  for (;;) {
    if (await done()) return true;
    const now = Date.now();
    const p = progress();
    if (p !== last) {
      last = p;
      changedAt = now;
    }
    const stalled = limits.stallMs !== undefined && now - changedAt > limits.stallMs;
    if (now - t0 > limits.timeoutMs || stalled) {
      ctx.log(`  ${what}: not reached within ${Math.round((now - t0) / 1000)} s${stalled ? ` (nothing moved for ${(limits.stallMs ?? 0) / 1000} s)` : ''}: ${p}`);
      return false;
    }
    if (now - logged > 15_000) {
      logged = now;
      ctx.log(`  ${what}… ${p}`);
    }
    await sleep(500);
  }
}

async function count(ctx: BenchContext, sql: string, params: unknown[] = []): Promise<number> {
  const [r] = await ctx.cluster.query<{ n: string }>(sql, params);
  return Number(r?.n ?? 0);
}

/** The vendor users who get digests: the admin, and colleagues invited and signed in. */
async function subscribeUsers(ctx: BenchContext): Promise<string[]> {
  const admin = ctx.seeded.api;
  const prefs = { email: true, events: ['installation.offline', 'alert.firing', 'alert.resolved'], offlineMinutes: OFFLINE_MINUTES };
  const users = [{ email: ctx.seeded.adminEmail, api: admin }];
  for (let i = 0; i < INVITED_USERS; i++) {
    const email = `ops-${i}-${Math.random().toString(36).slice(2, 8)}@example.com`;
    const invite = await admin.post<{ inviteUrl: string }>('/invites', { email, role: 'viewer' });
    const api = new Api(admin.baseUrl);
    await api.post(`/invites/${invite.inviteUrl.split('/').at(-1) ?? ''}/accept`, { name: `Ops ${i}`, password: BENCH_PASSWORD });
    users.push({ email, api });
  }
  for (const u of users) await u.api.call('PUT', '/me/notification-preferences', prefs);
  return users.map((u) => u.email);
}

interface DeliveryStatus {
  /** Delivery rows written for the endpoint (one per message, unless a message was written twice). */
  queued: number;
  /** Distinct messages (webhook-id) among them. */
  messages: number;
  /** Rows not finished yet (pending, retrying). */
  pending: number;
  succeeded: number;
  failed: number;
  attempts: number;
  /** Per event type: rows and distinct messages. */
  byType: Map<string, { rows: number; messages: number }>;
}

/** The endpoint's delivery log from PostgreSQL, rows after `afterId` (those of this outage). */
async function deliveryStatus(ctx: BenchContext, endpointId: string, afterId: string): Promise<DeliveryStatus> {
  const rows = await ctx.cluster.query<{ status: string; event_type: string; n: string; messages: string; attempts: string }>(
    'SELECT status, event_type, count(*) AS n, count(DISTINCT message_id) AS messages, sum(attempts) AS attempts FROM webhook_deliveries WHERE endpoint_id = $1 AND id > $2 GROUP BY status, event_type',
    [endpointId, afterId],
  );
  const [distinct] = await ctx.cluster.query<{ n: string }>('SELECT count(DISTINCT message_id) AS n FROM webhook_deliveries WHERE endpoint_id = $1 AND id > $2', [endpointId, afterId]);
  const of = (...statuses: string[]) => rows.filter((r) => statuses.includes(r.status)).reduce((n, r) => n + Number(r.n), 0);
  const byType = new Map<string, { rows: number; messages: number }>();
  const perType = await ctx.cluster.query<{ event_type: string; n: string; messages: string }>('SELECT event_type, count(*) AS n, count(DISTINCT message_id) AS messages FROM webhook_deliveries WHERE endpoint_id = $1 AND id > $2 GROUP BY event_type', [endpointId, afterId]);
  for (const r of perType) byType.set(r.event_type, { rows: Number(r.n), messages: Number(r.messages) });
  return {
    queued: rows.reduce((n, r) => n + Number(r.n), 0),
    messages: Number(distinct?.n ?? 0),
    pending: of('pending', 'retrying'),
    succeeded: of('succeeded'),
    failed: of('failed', 'cancelled'),
    attempts: rows.reduce((n, r) => n + Number(r.attempts ?? 0), 0),
    byType,
  };
}

/** The newest delivery row of the endpoint so far ('0' when none): what came before the outage. */
async function lastDeliveryId(ctx: BenchContext, endpointId: string): Promise<string> {
  const [r] = await ctx.cluster.query<{ id: string | null }>('SELECT max(id)::text AS id FROM webhook_deliveries WHERE endpoint_id = $1', [endpointId]);
  return r?.id ?? '0';
}

/** Messages written more than once for the endpoint (at most 5, for the log): what and when. */
async function repeatedMessages(ctx: BenchContext, endpointId: string, afterId: string): Promise<string> {
  const rows = await ctx.cluster.query<{ message_id: string; event_type: string; ids: string; created: string }>(
    `SELECT message_id, event_type, string_agg(id::text, ',') AS ids, string_agg(to_char(created_at, 'HH24:MI:SS.MS'), ',') AS created
     FROM webhook_deliveries WHERE endpoint_id = $1 AND id > $2 GROUP BY message_id, event_type HAVING count(*) > 1 LIMIT 5`,
    [endpointId, afterId],
  );
  // The source rows behind them (installation events: msg_ie<id>), for whoever looks into why.
  const sourceIds = rows.flatMap((r) => /^msg_ie(\d+)$/.exec(r.message_id)?.[1] ?? []);
  const sources = await ctx.cluster.query<{ id: string; xid: string; type: string; at: string }>(`SELECT id::text, xid::text, type, to_char(at, 'HH24:MI:SS.MS') AS at FROM installation_events WHERE id = ANY($1::bigint[])`, [sourceIds]);
  const cursors = await ctx.cluster.query<{ source: string; xid: string; id: string }>('SELECT source, xid::text, id::text FROM event_outbox_cursors');
  return [
    ...rows.map((r) => `${r.message_id} (${r.event_type}) rows ${r.ids} written at ${r.created}`),
    `source rows: ${sources.map((r) => `${r.id} xid ${r.xid} ${r.type} at ${r.at}`).join(', ')}`,
    `cursors now: ${cursors.map((c) => `${c.source} (${c.xid}, ${c.id})`).join(', ')}`,
  ].join('; ');
}

const queuedNotifications = (ctx: BenchContext) => count(ctx, 'SELECT count(*) AS n FROM notification_queue');

/**
 * 7. Outage: with a vendor webhook endpoint (offline/online, alert firing/resolved), an alert rule
 * "offline longer than 1 minute" and three users mailed digests, every agent drops out at once and
 * comes back once the alerts fired. Reported: the deliveries queued, received (signature checked)
 * and failed, the digest mails per user, and the fan-out of a rollout started while the deliveries
 * of the recovery are flowing against one started before the outage and against the floor.
 */
export const outage: Scenario = async (ctx) => {
  const sinks: EventSinks | undefined = ctx.sinks;
  if (!sinks) throw new Error('the outage scenario needs the event sinks (run.ts starts them when it is chosen)');
  const n = ctx.seeded.agents.length;
  await ensureFloor(ctx);
  await ensureConnected(ctx, [ctx.hub.url]);
  const api = ctx.seeded.api;

  const hook = await api.post<{ id: string; secret: string }>('/webhooks', { url: sinks.webhookUrl, description: 'bench: outage', events: [...EVENTS] });
  sinks.secret = hook.secret;
  await api.post('/alert-rules', { name: `Offline ${OFFLINE_MINUTES} minute`, kind: 'offline', threshold: OFFLINE_MINUTES });
  const users = await subscribeUsers(ctx);
  await sleep(3000);
  // Events of the connects the outbox had not dispatched when the endpoint was made are delivered
  // to it too: let them finish, so the quiet fan-out is quiet.
  let unfinished = 0;
  await waitUntil(
    ctx,
    'earlier deliveries finished',
    { timeoutMs: 300_000, stallMs: 60_000 },
    async () => (unfinished = (await deliveryStatus(ctx, hook.id, '0')).pending) === 0,
    () => `${unfinished} unfinished`,
  );

  const quiet = await measureFanouts(ctx, FANOUT_RUNS);
  ctx.log(`  quiet fan-out p99 ${quiet.latency.p99} ms; dropping ${n} agents`);
  await sleep(3000);
  // Deliveries of the connects before the endpoint existed may still come: what follows counts from here.
  const afterId = await lastDeliveryId(ctx, hook.id);
  const before = { deliveries: sinks.deliveries.received, mails: sinks.mails.length, byType: new Map(sinks.deliveries.byType) };

  // The outage: all at once; it lasts until the alerts fired and the "offline" digests went out.
  const meter = new UsageMeter(() => [ctx.hub.pid]);
  const t0 = Date.now();
  await ctx.fleet.dropOut();
  const d = sinks.deliveries;
  const progress = () => `received offline ${d.of('installation.offline')}, firing ${d.of('alert.firing')}, online ${d.of('installation.online')}, resolved ${d.of('alert.resolved')} of ${n} each; ${sinks.mails.filter(isDigest).length} digests`;
  // It lasts until every installation's alert fired and its events are queued for delivery and
  // mail, and the "offline for 1 minute" digests went out (deliveries may still be on their way).
  let firingQueued = 0;
  await waitUntil(
    ctx,
    'the outage noticed',
    { timeoutMs: 300_000 },
    async () => {
      if (Date.now() - t0 < (OFFLINE_MINUTES * 60 + 15) * 1000) return false;
      firingQueued = await count(ctx, `SELECT count(*) AS n FROM webhook_deliveries WHERE endpoint_id = $1 AND id > $2 AND event_type = 'alert.firing'`, [hook.id, afterId]);
      return firingQueued >= n && (await queuedNotifications(ctx)) === 0;
    },
    () => `${progress()}; alert.firing queued ${firingQueued}`,
  );
  const downMs = Date.now() - t0;

  // The recovery: every site back at once; the rollout starts as soon as all said hello, while the
  // deliveries of the outage and the recovery are still on their way.
  const t1 = Date.now();
  await ctx.fleet.comeBack();
  // An agent that does not come back is a finding, not a reason to lose the scenario's other figures.
  let back = new Map<number, number>();
  let absent = 0;
  try {
    back = await ctx.fleet.waitAllHelloedSince(t1, 240_000, [1]);
  } catch (err) {
    absent = n - (await ctx.fleet.counts(t1)).helloedSince;
    ctx.notes.push(`Outage: ${err instanceof Error ? err.message : String(err)}`);
    ctx.log(`  ${absent} agents did not come back; the fan-out goes on without them`);
  }
  const atStart = await deliveryStatus(ctx, hook.id, afterId);
  ctx.log(`  all back after ${back.get(1)} ms; ${atStart.pending} deliveries unfinished; fan-out`);
  const busy = await measureFanouts(ctx, FANOUT_RUNS, absent);
  const during = d.receivedBetween(busy.first.since, busy.last.lastReceivedAt);
  const pendingAfter = (await deliveryStatus(ctx, hook.id, afterId)).pending;

  // Everything delivered and mailed, as long as deliveries keep arriving (what is missing when they
  // stop, or after 15 minutes, is reported as such).
  let pending = atStart.pending;
  await waitUntil(
    ctx,
    'the deliveries drained',
    { timeoutMs: 900_000, stallMs: 60_000 },
    async () => {
      if (d.of('alert.resolved') - (before.byType.get('alert.resolved') ?? 0) < n || d.of('installation.online') - (before.byType.get('installation.online') ?? 0) < n) return false;
      const s = await deliveryStatus(ctx, hook.id, afterId);
      pending = s.pending;
      return s.pending === 0 && d.received - before.deliveries >= s.messages;
    },
    () => `${progress()}; ${pending} unfinished at the last look`,
  );
  await waitUntil(ctx, 'the digests mailed', { timeoutMs: 120_000 }, async () => (await queuedNotifications(ctx)) === 0, progress);
  await sleep(Number(OUTAGE_HUB_ENV.NOTIFY_DIGEST_SECONDS) * 1000 + 2000); // a digest run in progress lands
  const usage = meter.stop();
  const status = await deliveryStatus(ctx, hook.id, afterId);
  const received = d.received - before.deliveries;
  const receivedOf = (type: string) => d.of(type) - (before.byType.get(type) ?? 0);
  if (status.queued > status.messages) ctx.log(`  messages written more than once: ${await repeatedMessages(ctx, hook.id, afterId)}`);
  const digests = sinks.mails.slice(before.mails).filter(isDigest);
  const perUser = mailsPerUser(digests, users);
  const notQueued = await queuedNotifications(ctx);

  row(ctx, { scenario: SCENARIO, metric: `all ${n} agents dropped at once: outage until the alerts fired and were mailed`, value: downMs, unit: 'ms' });
  row(ctx, { scenario: SCENARIO, metric: 'webhook deliveries queued (one endpoint: offline, online, alert firing, resolved)', value: status.queued, unit: '', reference: { label: '4 events per installation', value: 4 * n } });
  row(ctx, { scenario: SCENARIO, metric: 'distinct messages among them (webhook-id)', value: status.messages, unit: '', reference: { label: 'rows queued', value: status.queued } });
  for (const type of EVENTS) {
    const t = status.byType.get(type) ?? { rows: 0, messages: 0 };
    row(ctx, { scenario: SCENARIO, metric: `${type}: received (queued rows ${t.rows}, distinct messages ${t.messages})`, value: receivedOf(type), unit: '', reference: { label: 'installations', value: n } });
  }
  const allReceived = received >= status.messages && status.failed === 0 && status.pending === 0 && d.badSignatures === 0;
  row(ctx, { scenario: SCENARIO, metric: 'webhook messages received (distinct, signature verified)', value: received, unit: '', reference: { label: 'distinct messages queued', value: status.messages }, target: { text: 'all queued received, none failed', met: allReceived } });
  row(ctx, { scenario: SCENARIO, metric: 'webhook deliveries failed or still pending at the end', value: status.failed + status.pending, unit: '', target: { text: '0', met: status.failed + status.pending === 0 } });
  row(ctx, { scenario: SCENARIO, metric: 'delivery attempts (retries included)', value: status.attempts, unit: '', reference: { label: 'queued', value: status.queued } });
  row(ctx, { scenario: SCENARIO, metric: 'deliveries received twice (at least once) / with a bad signature', value: d.repeats, unit: `/ ${d.badSignatures}` });
  row(ctx, { scenario: SCENARIO, metric: 'outage start → last delivery received', value: d.lastAt - t0, unit: 'ms' });
  row(ctx, { scenario: SCENARIO, metric: 'deliveries received per second, at the peak (best 10 s)', value: d.peakRate(10_000), unit: '/s' });
  row(ctx, { scenario: SCENARIO, metric: 'the receiver answered each delivery after (--receiver-latency-ms)', value: ctx.opts.receiverLatencyMs, unit: 'ms' });
  // "A handful of mails, not 10 000": every user mailed, and never twice within one digest interval
  // (a run mails each user once, whatever the number of events); the mails' span then says how many
  // production's interval would have made of the same event.
  const fewestMails = Math.min(...perUser.values());
  const intervalMs = Number(OUTAGE_HUB_ENV.NOTIFY_DIGEST_SECONDS) * 1000;
  const closest = closestMailGap(digests, users);
  const spanMs = digests.length > 0 ? Math.max(...digests.map((m) => m.at)) - Math.min(...digests.map((m) => m.at)) : 0;
  row(ctx, {
    scenario: SCENARIO,
    metric: `digest mails received by ${users.length} subscribed users (digest every ${OUTAGE_HUB_ENV.NOTIFY_DIGEST_SECONDS} s, first to last mail ${Math.round(spanMs / 1000)} s)`,
    value: digests.length,
    unit: 'mails',
    reference: { label: 'installations that went offline', value: n },
    target: { text: 'each user mailed, at most one digest per interval', met: fewestMails >= 1 && closest >= intervalMs / 2 },
  });
  row(ctx, { scenario: SCENARIO, metric: 'closest two digests to one user', value: closest, unit: 'ms', reference: { label: 'digest interval', value: intervalMs } });
  row(ctx, { scenario: SCENARIO, metric: `the same span with production's ${PRODUCTION_DIGEST_SECONDS} s digests: at most, per user`, value: Math.floor(spanMs / (PRODUCTION_DIGEST_SECONDS * 1000)) + 1, unit: 'mails' });
  [...perUser.values()].forEach((count, i) => row(ctx, { scenario: SCENARIO, metric: `digest mails to user ${i + 1}`, value: count, unit: 'mails' }));
  row(ctx, { scenario: SCENARIO, metric: 'notification items still queued at the end', value: notQueued, unit: '' });
  row(ctx, { scenario: SCENARIO, metric: `all ${n} agents back and said hello after the outage`, value: back.get(1) ?? Number.NaN, unit: 'ms' });
  row(ctx, { scenario: SCENARIO, metric: 'agents not back within 240 s', value: absent, unit: '', target: { text: '0', met: absent === 0 } });
  row(ctx, { scenario: SCENARIO, metric: 'webhook deliveries unfinished when the rollout started', value: atStart.pending, unit: '' });
  row(ctx, { scenario: SCENARIO, metric: `webhook deliveries received during those ${FANOUT_RUNS} fan-outs (first API call → last agent of the last)`, value: during, unit: '' });
  row(ctx, { scenario: SCENARIO, metric: 'webhook deliveries still unfinished after them', value: pendingAfter, unit: '' });
  latencyRows(ctx, SCENARIO, `fan-out while deliveries flow (${FANOUT_RUNS} rollouts pooled)`, busy.latency, quiet.latency, 'quiet fan-out');
  row(ctx, { scenario: SCENARIO, metric: `fan-out p99 of each rollout: quiet ${quiet.p99s.map((p) => Math.round(p)).join(', ')} ms; during deliveries ${busy.p99s.map((p) => Math.round(p)).join(', ')} ms (worst during)`, value: Math.max(...busy.p99s), unit: 'ms', reference: { label: 'worst quiet', value: Math.max(...quiet.p99s) } });
  row(ctx, { scenario: SCENARIO, metric: 'fan-out p99 while deliveries flow vs quiet fan-out p99', value: busy.latency.p99, unit: 'ms', reference: { label: 'quiet p99 (before the outage)', value: quiet.latency.p99 }, target: { text: `≤ ${FANOUT_SLOWDOWN_LIMIT}× quiet`, met: busy.latency.p99 <= FANOUT_SLOWDOWN_LIMIT * quiet.latency.p99 } });
  row(ctx, { scenario: SCENARIO, metric: 'fan-out p99 while deliveries flow vs floor', value: busy.latency.p99, unit: 'ms', reference: { label: 'bare Socket.IO p99', value: ctx.shared.floor?.p99 ?? Number.NaN } });
  row(ctx, { scenario: SCENARIO, metric: 'quiet fan-out p99 (before the outage) vs floor', value: quiet.latency.p99, unit: 'ms', reference: { label: 'bare Socket.IO p99', value: ctx.shared.floor?.p99 ?? Number.NaN } });
  row(ctx, { scenario: SCENARIO, metric: `last rollout during the deliveries ${busy.last.status}`, value: busy.last.doneMs, unit: 'ms' });
  usageRows(ctx, SCENARIO, usage);
};

#!/usr/bin/env node
/**
 * Uptime at scale, without agents: seeds N installations with a month of sessions and health
 * changes straight into PostgreSQL, then times the hourly roll-up (one hour, one day, the whole
 * month's catch-up) and the reads the API makes from roll-ups plus the live tail. Figures of a run
 * are in the README's performance section.
 *
 *   node bench/dist/uptime-scale.js [--installations 10000] [--days 30]
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createDatabase } from '@flotilla/hub/dist/src/infra/database.js';
import { migrateLatest } from '@flotilla/hub/dist/src/migrate.js';
import { UptimeRepository } from '@flotilla/hub/dist/src/domain/installations/uptime-repository.js';
import { UptimeRollup } from '@flotilla/hub/dist/src/domain/installations/uptime-rollup.js';
import { UptimeService } from '@flotilla/hub/dist/src/domain/installations/uptime-service.js';
import { DAY_MS, HOUR_MS, hourStart } from '@flotilla/hub/dist/src/domain/installations/uptime.js';

const PG_ADMIN_URL = process.env.BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const { values } = parseArgs({ options: { installations: { type: 'string', default: '10000' }, days: { type: 'string', default: '30' } } });
const N = Number(values.installations);
const DAYS = Number(values.days);
const log = (m: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${m}\n`);

async function timed<T>(what: string, fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const result = await fn();
  log(`${what}: ${Math.round(performance.now() - t0)} ms`);
  return result;
}

const name = `flotilla_uptime_bench_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
const url = new URL(PG_ADMIN_URL);
url.pathname = `/${name}`;
const db = createDatabase(url.toString());
try {
  await migrateLatest(db);
  const now = Date.now();
  const start = hourStart(now) - DAYS * DAY_MS;
  await timed(`seed ${N} installations, ${DAYS} days: a session per day each (the last open), a failure and recovery per day`, async () => {
    await db.raw(`INSERT INTO vendors (id, name) VALUES ('00000000-0000-0000-0000-000000000001', 'bench')`);
    await db.raw(`INSERT INTO customers (vendor_id, name) SELECT '00000000-0000-0000-0000-000000000001', 'c' || g FROM generate_series(1, 100) g`);
    await db.raw(
      `INSERT INTO installations (vendor_id, customer_id, name, environment, agent_kind, created_at, first_connected_at)
       SELECT '00000000-0000-0000-0000-000000000001', (SELECT id FROM customers ORDER BY name OFFSET (g % 100) LIMIT 1), 'i' || g, 'production', 'compose', to_timestamp(?::double precision / 1000), to_timestamp(?::double precision / 1000)
         FROM generate_series(1, ?) g`,
      [start - DAY_MS, start - DAY_MS, N],
    );
    // Day d: connected from a few minutes past midnight to a few minutes before the next; failed for ~10 minutes at a random hour.
    await db.raw(
      `INSERT INTO agent_sessions (vendor_id, installation_id, agent_id, hub_node, connected_at, disconnected_at)
       SELECT i.vendor_id, i.id, 'a-' || i.id, 'bench',
              to_timestamp(?::double precision / 1000) + make_interval(days => d, secs => random() * 300),
              CASE WHEN d = ? THEN NULL ELSE to_timestamp(?::double precision / 1000) + make_interval(days => d + 1, secs => -random() * 600) END
         FROM installations i, generate_series(0, ?) d`,
      [start, DAYS, start, DAYS],
    );
    await db.raw(
      `INSERT INTO installation_events (vendor_id, installation_id, type, health, at)
       SELECT i.vendor_id, i.id, 'health', h.health, to_timestamp(?::double precision / 1000) + make_interval(days => d, hours => (abs(hashtext(i.id::text || d)) % 23), mins => h.m)
         FROM installations i, generate_series(0, ? - 1) d, (VALUES ('failed', 0), ('healthy', 10)) AS h(health, m)`,
      [start, DAYS],
    );
    await db.raw('ANALYZE');
  });
  const repo = new UptimeRepository(db);
  const rollup = new UptimeRollup(db, repo, { retentionDays: DAYS, maxHoursPerRun: 100_000 });
  const due = hourStart(now - 2 * 60_000);

  // The whole history first (what a hub does on its first start), then one hour and one day again.
  await db('uptime_rollup_state').insert({ id: 1, rolled_until: new Date(start) });
  const all = await timed(`catch-up of ${DAYS} days (${(due - start) / HOUR_MS} hours × ${N} installations)`, () => rollup.run(now));
  for (const table of ['uptime_hourly', 'uptime_daily']) {
    const rows = (await db(table).count<{ n: string }[]>({ n: '*' }))[0]?.n;
    const size: { rows: { s: string }[] } = await db.raw(`SELECT pg_size_pretty(pg_total_relation_size(?)) AS s`, [table]);
    log(`  ${table}: ${rows} rows kept, ${size.rows[0]?.s ?? '?'}`);
  }
  log(`  ${all.hours} hours rolled up`);
  for (const hours of [1, 1, 24]) {
    await db('uptime_rollup_state').update({ rolled_until: new Date(due - hours * HOUR_MS) });
    await timed(`roll-up of ${hours} hour(s) × ${N} installations (upserts over existing rows)`, () => rollup.run(now));
  }

  const service = new UptimeService(repo);
  const subjects: { id: string; first_connected_at: Date | null }[] = await db('installations').orderBy('id').select('id', 'first_connected_at');
  const vendorId = '00000000-0000-0000-0000-000000000001';
  const one = subjects[Math.floor(N / 2)] ?? { id: '', first_connected_at: null };
  for (const window of ['24h', '7d', '30d'] as const) {
    await service.summary(vendorId, one, window, new Date());
    const t0 = performance.now();
    for (let i = 0; i < 20; i++) await service.summary(vendorId, one, window, new Date());
    log(`one installation's ${window} bar (segments + totals), mean of 20: ${((performance.now() - t0) / 20).toFixed(1)} ms`);
  }
  await timed('list page: 24 h uptime of 200 installations', () => service.percents(vendorId, subjects.slice(0, 200), '24h', new Date()));
  await timed(`24 h uptime of all ${N} installations (${Math.ceil(N / 200)} pages of 200)`, async () => {
    for (let i = 0; i < subjects.length; i += 200) await service.percents(vendorId, subjects.slice(i, i + 200), '24h', new Date());
  });
  await timed(`30 d uptime of all ${N} installations in one call`, () => service.percents(vendorId, subjects, '30d', new Date()));
} finally {
  await db.destroy();
  await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
  await admin.end();
}

#!/usr/bin/env node
/// <reference lib="dom" />
/**
 * The fleet page at scale in Chromium: a real hub process (production mode), N installations seeded
 * in set-based SQL, the page opened signed in; measures navigation → first table rows visible, and
 * how long a burst of live statuses (agents turning degraded, `installation:statuses`) takes to show
 * in a filtered view. Writes results/portal.md and results/portal.json.
 *
 *   npm run build && node bench/dist/portal-bench.js [--installations 10000] [--agents 1000] [--runs 3]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { chromium, type Page } from 'playwright-core';
import { io, type Socket } from 'socket.io-client';
import { PROTOCOL_VERSION } from '@flotilla/protocol';
import { seedCustomers, seedInstallations, type SeededAgent } from '@flotilla/hub/dist/src/dev/fleet-seed.js';
import { Api } from './api.js';
import { HubCluster, sleep } from './hub.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const COMPOSE = 'services:\n  web:\n    image: busybox:latest\n    network_mode: host\n';
const { values } = parseArgs({ options: { installations: { type: 'string' }, agents: { type: 'string' }, runs: { type: 'string' }, out: { type: 'string' } } });
const INSTALLATIONS = Number(values.installations ?? 10_000);
const AGENTS = Number(values.agents ?? 1000);
const RUNS = Number(values.runs ?? 3);
const OUT = values.out ?? fileURLToPath(new URL('../results', import.meta.url));
const log = (m: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${m}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

type AgentSocket = Socket;
const host = { hostname: 'bench', os: 'linux', arch: 'x64', runtime: 'simulated' };
const report = (health: string) => ({ revision: 1, components: [{ name: 'web', version: '1.1.0', health, since: new Date().toISOString() }] });

async function connectAgents(url: string, agents: SeededAgent[]): Promise<AgentSocket[]> {
  const sockets = agents.map((a) =>
    io(`${url}/agent`, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { agentId: a.agentId, secret: a.secret, agentVersion: '0.1.0-bench', protocolVersion: PROTOCOL_VERSION, kind: 'compose' } }),
  );
  await Promise.all(
    sockets.map(
      (s) =>
        new Promise<void>((resolve, reject) => {
          s.once('connect', () => {
            s.timeout(60_000)
              .emitWithAck('agent:hello', { host, appliedRevision: 1, components: report('healthy').components })
              .then(() => resolve(), reject);
          });
          s.once('connect_error', reject);
          s.on('state:desired', (_d: unknown, ack: (a: unknown) => void) => ack({ accepted: true }));
        }),
    ),
  );
  return sockets;
}

/** Milliseconds from navigation start to the first table row in the DOM and painted. */
async function firstRender(page: Page, url: string): Promise<{ firstRowMs: number; listMs: number; requests: number }> {
  await page.goto(url, { waitUntil: 'commit' });
  await page.waitForSelector('[data-testid="installations-table"] tbody tr[data-installation-id]', { timeout: 120_000 });
  // The frame after the row was inserted: it is on screen.
  const firstRowMs = await page.evaluate(() => new Promise<number>((resolve) => requestAnimationFrame(() => resolve(performance.now()))));
  const { listMs, requests } = await page.evaluate(() => {
    const list = performance.getEntriesByType('resource').filter((e) => e.name.includes('/api/v1/installations'));
    return { listMs: Math.max(...list.map((e) => (e as PerformanceResourceTiming).responseEnd)) - Math.min(...list.map((e) => e.startTime)), requests: list.length };
  });
  return { firstRowMs, listMs, requests };
}

async function main(): Promise<void> {
  const cluster = new HubCluster(path.join(OUT, 'hub-logs'));
  const sockets: AgentSocket[] = [];
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'] });
  try {
    await cluster.create();
    const hub = await cluster.start(18_000 + Math.floor(Math.random() * 1000));
    const api = new Api(hub.url);
    const email = `portal-bench-${Date.now()}@example.com`;
    const password = 'bench-password-123';
    const signed = await api.post<{ vendor: { id: string } }>('/auth/signup', { email, password, name: 'Bench', vendorName: 'Portal bench' });
    const app = await api.post<{ id: string }>('/applications', { name: 'web', kind: 'compose' });
    const track = await api.post<{ id: string }>('/tracks', { name: 'Stable', applicationIds: [app.id] });
    const releases: { id: string; version: string }[] = [];
    for (const version of ['1.0.0', '1.1.0', '1.2.0']) {
      const v = await api.post<{ id: string }>(`/applications/${app.id}/versions`, { version, compose: { file: COMPOSE } });
      const r = await api.post<{ id: string }>(`/tracks/${track.id}/releases`, { version, stages: [[{ applicationId: app.id, versionId: v.id }]] });
      await api.post(`/releases/${r.id}/lock`);
      releases.push({ id: r.id, version });
    }
    const db = new pg.Client({ connectionString: cluster.databaseUrl });
    await db.connect();
    const t0 = Date.now();
    let agents: SeededAgent[];
    try {
      const query = (sql: string, params: unknown[]) => db.query(sql, params);
      const customerIds = await seedCustomers(query, signed.vendor.id, 50, 'Customer');
      const slot = (i: number) => ({ trackId: track.id, releaseId: releases[i]?.id ?? null, version: releases[i]?.version ?? null });
      agents = await seedInstallations(query, {
        vendorId: signed.vendor.id,
        customerIds,
        count: INSTALLATIONS,
        namePrefix: 'site',
        slots: [slot(2), slot(2), slot(2), slot(1), slot(1), slot(0), { trackId: null, releaseId: null, version: null }],
        agents: { count: AGENTS, secretPrefix: 'fas_portal_bench_' },
      });
    } finally {
      await db.end();
    }
    const seedMs = Date.now() - t0;
    log(`seeded ${INSTALLATIONS} installations and ${AGENTS} agents in SQL in ${seedMs} ms`);

    sockets.push(...(await connectAgents(hub.url, agents)));
    log(`${sockets.length} agents connected, healthy`);
    await Promise.all(sockets.map((s) => s.timeout(60_000).emitWithAck('status:report', report('healthy'))));

    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${hub.url}/login`);
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => u.pathname === '/');

    const renders: { firstRowMs: number; listMs: number; requests: number }[] = [];
    for (let i = 0; i < RUNS; i++) {
      const r = await firstRender(page, `${hub.url}/?r=${i}`);
      renders.push(r);
      log(`first render ${i + 1}: first rows at ${r.firstRowMs.toFixed(0)} ms (list: ${r.requests} requests, ${r.listMs.toFixed(0)} ms)`);
    }

    // A burst: every agent reports degraded at once; the page shows "health = degraded".
    await page.goto(`${hub.url}/?health=degraded`);
    await page.waitForFunction(() => document.querySelector('[data-testid="live-status"]')?.getAttribute('data-state') === 'live', undefined, { timeout: 60_000 });
    const before = Number(await page.getByTestId('fleet-results').getAttribute('data-count'));
    const expected = before + sockets.length;
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const metric = async (name: string) => ((await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === name)?.value ?? 0) * 1000;
    const taskBefore = await metric('TaskDuration');
    const watch = page.evaluate(
      (want) =>
        new Promise<number>((resolve) => {
          const check = () => {
            if (Number(document.querySelector('[data-testid="fleet-results"]')?.getAttribute('data-count')) >= want) resolve(Date.now());
            else requestAnimationFrame(check);
          };
          check();
        }),
      expected,
    );
    if (process.env.PORTAL_BENCH_PROFILE) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.start');
    }
    const burstAt = Date.now();
    await Promise.all(sockets.map((s) => s.timeout(60_000).emitWithAck('status:report', report('degraded'))));
    const ackedAt = Date.now();
    const shownAt = await watch;
    const taskMs = (await metric('TaskDuration')) - taskBefore;
    if (process.env.PORTAL_BENCH_PROFILE) {
      const { profile } = await cdp.send('Profiler.stop');
      await writeFile(process.env.PORTAL_BENCH_PROFILE, JSON.stringify(profile));
    }
    const rendered = await page.locator('[data-testid="installations-table"] tbody tr[data-installation-id]').count();
    const results = {
      at: new Date().toISOString(),
      machine: { cores: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
      installations: INSTALLATIONS,
      agents: sockets.length,
      seedMs,
      firstRender: { runs: renders, medianFirstRowMs: median(renders.map((r) => r.firstRowMs)), medianListMs: median(renders.map((r) => r.listMs)) },
      burst: { statuses: sockets.length, before, expected, sentToAllAckedMs: ackedAt - burstAt, sentToShownMs: shownAt - burstAt, pageMainThreadMs: taskMs, domRowsAfter: rendered },
    };
    log(JSON.stringify(results.burst));
    await mkdir(OUT, { recursive: true });
    await writeFile(path.join(OUT, 'portal.json'), `${JSON.stringify(results, null, 2)}\n`);
    const md = `# Fleet page at scale (portal bench)\n\n${results.at}, ${results.machine.cores} cores, ${results.machine.memoryGiB} GiB, Node ${results.machine.node}; hub in production mode, Chromium headless, all on one machine.\n\n| figure | value |\n|---|---:|\n| installations (seeded in SQL in ${seedMs} ms) | ${INSTALLATIONS} |\n| navigation → first table rows on screen (median of ${RUNS}) | ${results.firstRender.medianFirstRowMs.toFixed(0)} ms |\n| of which the list download (\`GET /installations\`, ${renders[0]?.requests} pages) | ${results.firstRender.medianListMs.toFixed(0)} ms |\n| burst: ${sockets.length} agents report degraded → all acked by the hub | ${results.burst.sentToAllAckedMs} ms |\n| burst: first report sent → the filtered view shows all ${sockets.length} | ${results.burst.sentToShownMs} ms |\n| page main-thread time during the burst (CDP TaskDuration) | ${taskMs.toFixed(0)} ms |\n| table rows in the DOM after the burst | ${rendered} |\n`;
    await writeFile(path.join(OUT, 'portal.md'), md);
    process.stdout.write(md);
  } finally {
    for (const s of sockets) s.close();
    await browser.close().catch(() => undefined);
    await cluster.destroy();
  }
}

await main();
await sleep(0);
process.exit(0);

import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { BenchOptions } from './options.js';
import { HubCluster } from './hub.js';
import { SimFleet } from './fleet.js';
import { seedFleet } from './seed.js';
import { machineFacts, toMarkdown, type BenchResults, type ScenarioOutcome } from './report.js';
import { resultFiles } from './result-files.js';
import { SCENARIO_RUNNERS, type BenchContext } from './scenarios.js';
import { EventSinks } from './event-sinks.js';
import { OUTAGE_HUB_ENV } from './outage.js';
import { sleep } from './hub.js';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/**
 * Runs the chosen scenarios against real hub processes and simulated agents, writes the results
 * to `opts.outDir` (`latest.*`, or `latest-quick.*` for `--quick`: see resultFiles), and returns them. A failing scenario is
 * recorded (and the run goes on); the harness always cleans up its database, Redis keys and processes.
 */
export async function runBench(opts: BenchOptions, log: (message: string) => void): Promise<BenchResults> {
  const started = Date.now();
  const loadAtStart = os.loadavg();
  // The outage needs the hub configured at start: its mail to a loopback SMTP sink, webhooks to loopback.
  const sinks = opts.scenarios.includes('outage') ? await EventSinks.start(opts.receiverLatencyMs) : undefined;
  const cluster = new HubCluster(path.join(opts.outDir, 'hub-logs'), opts.cpuProfDir, sinks ? { ...OUTAGE_HUB_ENV, SMTP_URL: sinks.smtpUrl } : {});
  const outcomes: ScenarioOutcome[] = [];
  const notes: string[] = [];
  let fleet: SimFleet | undefined;
  let ctx: BenchContext | undefined;
  try {
    await cluster.create();
    const ports = [await freePort(), await freePort()];
    const hub = await cluster.start(ports[0] ?? 0);
    log(`hub ready at ${hub.url}; seeding ${opts.agents} installations through the API`);
    const t0 = Date.now();
    const seeded = await seedFleet(hub.url, opts.agents, (done) => log(`  seeded ${done}`), sinks ? (email) => mailedToken(sinks, email) : undefined);
    notes.push(`Seeding ${opts.agents} installations with credentials through the REST API took ${((Date.now() - t0) / 1000).toFixed(1)} s.`);
    fleet = new SimFleet(seeded.agents, opts.workers);
    ctx = { opts, cluster, hub, ports, seeded, fleet, rows: [], notes, log, shared: {}, ...(sinks ? { sinks } : {}) };
    for (const name of opts.scenarios) {
      log(`scenario ${name}…`);
      const s0 = Date.now();
      try {
        await SCENARIO_RUNNERS[name](ctx);
        outcomes.push({ name, completed: true, seconds: (Date.now() - s0) / 1000 });
      } catch (err) {
        const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
        log(`scenario ${name} failed: ${error}`);
        outcomes.push({ name, completed: false, seconds: (Date.now() - s0) / 1000, error });
      }
    }
  } finally {
    await fleet?.close();
    await cluster.destroy();
    await sinks?.close();
  }
  const results: BenchResults = {
    label: opts.label,
    agents: opts.agents,
    startedAt: new Date(started).toISOString(),
    durationSeconds: (Date.now() - started) / 1000,
    machine: machineFacts(),
    scenarios: outcomes,
    rows: ctx?.rows ?? [],
    notes,
    load: { atStart: loadAtStart, atEnd: os.loadavg() },
  };
  await mkdir(opts.outDir, { recursive: true });
  const files = resultFiles(opts);
  await writeFile(files.markdown, toMarkdown(results));
  await writeFile(files.json, `${JSON.stringify({ ...results, options: opts }, null, 2)}\n`);
  return results;
}

/** The sign-up confirmation token mailed to `email` (a hub with SMTP confirms sign-ups by mail). */
async function mailedToken(sinks: EventSinks, email: string): Promise<string> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const mail = sinks.mails.find((m) => m.to.includes(email));
    // Quoted-printable may fold the link: join soft line breaks first.
    const token = mail && /\/signup\/confirm\/([A-Za-z0-9_-]+)/.exec(mail.body.replace(/=\r?\n/g, ''))?.[1];
    if (token) return token;
    if (Date.now() > deadline) throw new Error(`no sign-up confirmation mailed to ${email} within 30 s`);
    await sleep(100);
  }
}

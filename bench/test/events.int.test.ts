import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// The built harness, as in quick.int.test.ts (npm test builds first).
import { parseOptions } from '../dist/options.js';
import { runBench } from '../dist/run.js';
import type { BenchResults } from '../dist/report.js';

// The outage and metrics scenarios at a small scale: they complete, and the facts they measure hold
// (every delivery arrives signed, every subscriber gets digests, every sample is stored). Timings and
// CPU shares are figures for the results file, not asserted here.
let outDir = '';

afterAll(async () => {
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

describe('npm run bench -- --scenarios outage,metrics', () => {
  it('measures an outage of every agent and the metrics of every agent on loopback', async () => {
    outDir = await mkdtemp(path.join(os.tmpdir(), 'flotilla-bench-events-'));
    const opts = parseOptions(['--quick', '--agents', '100', '--scenarios', 'outage,metrics', '--metrics-seconds', '10', '--out', outDir], outDir);
    const results = await runBench(opts, () => undefined);
    const failed = results.scenarios.filter((s) => !s.completed);
    expect(failed, failed.map((s) => `${s.name}: ${s.error}`).join('\n')).toEqual([]);

    const json = JSON.parse(await readFile(path.join(outDir, 'latest-quick.json'), 'utf8')) as BenchResults;
    const find = (scenario: string, metric: string) => {
      const r = json.rows.find((x) => x.scenario === scenario && x.metric.startsWith(metric));
      if (!r) throw new Error(`no row ${scenario} / ${metric}`);
      return r;
    };
    const received = find('outage', 'webhook messages received');
    expect(received.target?.met, JSON.stringify(received)).toBe(true);
    expect(received.value).toBeGreaterThanOrEqual(4 * 100);
    for (const type of ['installation.offline', 'installation.online', 'alert.firing', 'alert.resolved']) expect(find('outage', `${type}: received`).value).toBeGreaterThanOrEqual(100);
    expect(find('outage', 'webhook deliveries failed').value).toBe(0);
    for (const user of [1, 2, 3]) expect(find('outage', `digest mails to user ${user}`).value).toBeGreaterThanOrEqual(1);
    expect(find('outage', 'notification items still queued').value).toBe(0);
    expect(Number.isFinite(find('outage', 'fan-out p99 while deliveries flow vs quiet').value)).toBe(true);

    const sent = find('metrics', 'usage samples sent in the');
    expect(sent.value).toBeGreaterThan(0);
    // Each sample acknowledged in the window is one host row (a few may straddle its edges).
    expect(Math.abs(find('metrics', 'host samples stored').value - sent.value)).toBeLessThanOrEqual(Math.max(3, sent.value * 0.05));
    expect(find('metrics', 'usage reports refused').value).toBe(0);
    expect(Number.isFinite(find('metrics', 'hub CPU the metrics').value)).toBe(true);
    const md = await readFile(path.join(outDir, 'latest-quick.md'), 'utf8');
    expect(md).toMatch(/\| outage \| yes \|/);
    expect(md).toMatch(/\| metrics \| yes \|/);
  }, 600_000);
});

import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// The built harness: its worker and floor processes are forked from dist/ (npm test builds first).
import { parseOptions, QUICK_SCENARIOS } from '../dist/options.js';
import { runBench } from '../dist/run.js';
import type { BenchResults } from '../dist/report.js';

// The quick bench as CI runs it: every scenario must complete and the results must be written.
// Timings are not asserted here; they belong in the results file.
let outDir = '';

afterAll(async () => {
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

describe('npm run bench -- --quick', () => {
  it('runs the quick scenarios against real hub processes and writes latest-quick.md and latest-quick.json, leaving latest.* alone', async () => {
    outDir = await mkdtemp(path.join(os.tmpdir(), 'flotilla-bench-'));
    const opts = parseOptions(['--quick', '--out', outDir], outDir);
    const results = await runBench(opts, () => undefined);

    const failed = results.scenarios.filter((s) => !s.completed);
    expect(failed, failed.map((s) => `${s.name}: ${s.error}`).join('\n')).toEqual([]);
    expect(results.scenarios.map((s) => s.name)).toEqual([...QUICK_SCENARIOS]);

    const json = JSON.parse(await readFile(path.join(outDir, 'latest-quick.json'), 'utf8')) as BenchResults;
    expect(json.agents).toBe(1000);
    expect(json.machine.cores).toBeGreaterThan(0);
    const scenariosWithRows = new Set(json.rows.map((r) => r.scenario));
    expect([...scenariosWithRows]).toEqual(['connect storm', 'fan-out', 'ingest', 'idle cost', 'reconnect storm', 'multi-node (2 hubs)']);
    for (const r of json.rows) expect(Number.isFinite(r.value), `${r.scenario} / ${r.metric}`).toBe(true);
    // Correctness facts the scenarios assert themselves are also in the results.
    const value = (scenario: string, metric: string) => json.rows.find((r) => r.scenario === scenario && r.metric.startsWith(metric))?.value;
    expect(value('reconnect storm', 'rollout started before the restart: lost')).toBe(0);
    expect(value('reconnect storm', 'applied twice')).toBe(0);

    const md = await readFile(path.join(outDir, 'latest-quick.md'), 'utf8');
    for (const s of QUICK_SCENARIOS) expect(md).toMatch(new RegExp(`\\| ${s} \\| yes \\|`));
    // The full run's record is never touched by a quick run.
    expect((await readdir(outDir)).filter((f) => f.startsWith('latest.'))).toEqual([]);
  });
});

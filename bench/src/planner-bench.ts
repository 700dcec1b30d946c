/**
 * `npm run bench:planner -w bench`: the cost of one rollout step in the hub's process, without the
 * database: reading the targets (`plannerTarget`, maintenance windows included), planning, applying
 * the actions and explaining every wait, over 2 500 to 20 000 targets. A step that grows faster than
 * the targets (an O(n²) path) shows as a ratio well above 2 per doubling. Results: results/planner.md
 * and planner.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MaintenanceWindow } from '@flotilla/protocol';
import { applyActions, assignWaves, DEFAULT_STRATEGY, plan, type Rollout, type Target } from '@flotilla/hub/dist/src/rollouts/planner.js';
import { plannerTarget } from '@flotilla/hub/dist/src/rollouts/engine.js';
import { explainTargets } from '@flotilla/hub/dist/src/rollouts/blockers.js';
import type { TargetRow } from '@flotilla/hub/dist/src/rollouts/rollout-repository.js';

const NOW = Date.parse('2026-12-05T12:00:00Z');
const RUNS = Number(process.env.PLANNER_BENCH_RUNS ?? 7);
const WINDOWS: MaintenanceWindow[][] = [
  [],
  [{ days: ['sat', 'sun'], start: '02:00', end: '06:00', timeZone: 'Europe/Berlin' }],
  [{ cron: '5 3 * * *', durationMinutes: 5, timeZone: 'America/New_York' }],
];

type Scenario = 'first step' | 'mid-rollout' | 'windows (1 000 distinct)';

/** Target rows as the engine reads them, for one moment of a rollout of n targets. */
function rows(n: number, scenario: Scenario): TargetRow[] {
  // The first step of a one-wave rollout: every target may start (maxParallel unlimited).
  const waves = assignWaves(Array.from({ length: n }, (_, i) => `i${i}`), [{ percent: 100 }]);
  return Array.from({ length: n }, (_, i) => {
    const id = `i${i}`;
    const mid = scenario === 'mid-rollout';
    const deploying = mid && i % 10 === 0;
    const done = mid && i % 10 === 1;
    const windows: MaintenanceWindow[] =
      scenario === 'windows (1 000 distinct)'
        ? [{ days: ['sat'], start: `0${i % 10}:${String(Math.floor(i / 10) % 60).padStart(2, '0')}`, end: '09:00', timeZone: i % 2 ? 'Europe/Berlin' : 'Australia/Sydney' }]
        : scenario === 'first step'
          ? []
          : (WINDOWS[i % WINDOWS.length] ?? []);
    return {
      installation_id: id,
      customer_id: `c${i % 50}`,
      customer_name: `Customer ${i % 50}`,
      wave: waves.get(id) ?? 0,
      status: deploying ? 'deploying' : done ? 'succeeded' : 'pending',
      waiting_for: null,
      waiting_since: null,
      stage: deploying ? 1 : done ? 2 : 0,
      stage_revision: deploying || done ? 5 : null,
      stage_sent_at: deploying || done ? new Date(NOW - 60_000) : null,
      approved: false,
      approved_for: null,
      finished_at: done ? new Date(NOW - 30_000) : null,
      message: null,
      blocker: null,
      unhealthy: deploying ? [] : null,
      online: i % 97 !== 0,
      last_seen_at: new Date(NOW - 120_000),
      applied_revision: deploying && i % 20 === 0 ? 5 : 4,
      any_failed: false,
      all_healthy: true,
      stage_version_failed: false,
      status_updated_at: new Date(NOW - 1000),
      maintenance_windows: windows,
    } as unknown as TargetRow;
  });
}

/** One engine step's pure work, timed in parts (ms). */
function step(input: TargetRow[], rollout: Rollout): Record<string, number> {
  // Collect garbage between runs when allowed (node --expose-gc): a run pays for its own garbage only.
  (globalThis as { gc?: () => void }).gc?.();
  const t0 = performance.now();
  const targets: Target[] = input.map((r) => plannerTarget(r, NOW));
  const t1 = performance.now();
  const actions = plan(rollout, targets, NOW);
  const t2 = performance.now();
  const after = applyActions(rollout, targets, actions, NOW);
  const t3 = performance.now();
  const byId = new Map(input.map((r) => [r.installation_id, r]));
  explainTargets(after.rollout, after.targets, (id) => ({ customerName: byId.get(id)?.customer_name ?? '', timeZone: null, failing: [], waitingSince: null, releaseReady: true }), NOW);
  const t4 = performance.now();
  return { read: t1 - t0, plan: t2 - t1, apply: t3 - t2, explain: t4 - t3, total: t4 - t0, actions: actions.length };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

function main(): void {
  const sizes = [2_500, 5_000, 10_000, 20_000];
  const scenarios: Scenario[] = ['first step', 'mid-rollout', 'windows (1 000 distinct)'];
  const results: { scenario: Scenario; targets: number; ms: Record<string, number> }[] = [];
  for (const scenario of scenarios) {
    for (const n of sizes) {
      const rollout: Rollout = { status: 'running', stageCount: 2, strategy: { ...DEFAULT_STRATEGY, maxParallel: scenario === 'first step' ? 100_000 : 1000, respectMaintenanceWindows: true } };
      const input = rows(n, scenario);
      step(input, rollout); // warm-up (JIT, window memo as the engine's process would have it)
      const runs = Array.from({ length: RUNS }, () => step(input, rollout));
      const ms = Object.fromEntries(Object.keys(runs[0] ?? {}).map((k) => [k, Math.round(median(runs.map((r) => r[k] ?? 0)) * 10) / 10]));
      results.push({ scenario, targets: n, ms });
      process.stdout.write(`${scenario.padEnd(26)} ${String(n).padStart(6)} targets: ${JSON.stringify(ms)}\n`);
    }
  }
  const lines = [
    '# Planner step (pure part of one rollout advance)',
    '',
    `Median of ${RUNS} runs after a warm-up, Node ${process.version}. read = plannerTarget (windows included), plan, apply = applyActions, explain = explainTargets; ms.`,
    '',
    '| scenario | targets | read | plan | apply | explain | total | ×/doubling | actions |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...results.map((r, i) => {
      const prev = results[i - 1];
      const ratio = prev && prev.scenario === r.scenario ? ((r.ms.total ?? 0) / Math.max(0.1, prev.ms.total ?? 0)).toFixed(2) : '';
      return `| ${r.scenario} | ${r.targets} | ${r.ms.read} | ${r.ms.plan} | ${r.ms.apply} | ${r.ms.explain} | ${r.ms.total} | ${ratio} | ${r.ms.actions} |`;
    }),
    '',
  ];
  const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'planner.md'), lines.join('\n'));
  writeFileSync(join(out, 'planner.json'), JSON.stringify({ node: process.version, runs: RUNS, results }, null, 2));
  process.stdout.write(`${lines.join('\n')}\n`);
}

main();

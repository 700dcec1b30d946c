import { FINISHED_TARGET_STATUSES, isFinishedTargetStatus, type Rollout, type RolloutTimelineEvent } from '@flotilla/protocol';
import { EXIT } from './cli-error.js';

/** Pure rendering of a followed rollout: the TTY's progress bar, one line per event, the outcome. */

type Target = Rollout['targets'][number];
const BAD_TARGET: readonly Target['status'][] = ['failed', 'rolled_back'];

/** Installation id → how the CLI shows it (`Acme/main`). */
export type Names = ReadonlyMap<string, string>;

export function targetName(names: Names, installationId: string | null): string {
  if (installationId === null) return 'rollout';
  return names.get(installationId) ?? installationId.slice(0, 8);
}

/** `[#########-----------]  9/20 installations  wave 2/3  running` (width = the bar's cells). */
export function progressLine(r: Rollout, width = 24): string {
  const total = r.targets.length;
  const done = r.targets.filter((t) => isFinishedTargetStatus(t.status)).length;
  const filled = total === 0 ? width : Math.round((done / total) * width);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
  const current = r.waves.find((w) => w.finished < w.total) ?? r.waves[r.waves.length - 1];
  const wave = current ? `  wave ${current.index + 1}/${r.waves.length}` : '';
  const bad = r.targets.filter((t) => BAD_TARGET.includes(t.status)).length;
  return `${bar} ${String(done).padStart(String(total).length)}/${total} installations${wave}  ${r.status}${bad > 0 ? `  ${bad} failed` : ''}`;
}

/** `11:02:03  Acme/main  stage-sent  stage 1  "message"`. */
export function eventLine(e: RolloutTimelineEvent, names: Names): string {
  const time = e.at.slice(11, 19);
  const parts = [time, targetName(names, e.installationId), e.type];
  if (e.stage !== null) parts.push(`stage ${e.stage}`);
  if (e.message) parts.push(e.message);
  return parts.join('  ');
}

/** 0 completed with every target fine; 2 paused; 1 failed, aborted, or completed with failed or rolled-back targets. */
export function rolloutExitCode(r: Rollout): number {
  if (r.status === 'paused') return EXIT.paused;
  if (r.status === 'completed' && !r.targets.some((t) => BAD_TARGET.includes(t.status))) return EXIT.ok;
  return EXIT.failed;
}

/** The final lines: the outcome, then each installation that failed or was rolled back, with its reason. */
export function rolloutSummary(r: Rollout, names: Names): string[] {
  const count = (s: Target['status']) => r.targets.filter((t) => t.status === s).length;
  const tally = FINISHED_TARGET_STATUSES
    .map((s) => [s, count(s)] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s.replace('_', ' ')}`)
    .join(', ');
  const lines = [`Rollout ${r.id} ${r.status} (release ${r.releaseVersion}${tally ? `; ${tally}` : ''})${r.message ? `: ${r.message}` : ''}`];
  for (const t of r.targets.filter((x) => BAD_TARGET.includes(x.status))) {
    lines.push(`  ${targetName(names, t.installationId)}: ${t.status.replace('_', ' ')} at stage ${t.stage}${t.message ? `: ${t.message}` : ''}`);
  }
  return lines;
}

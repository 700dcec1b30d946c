import { FAILURE_TARGET_STATUSES, TARGET_STATUSES, isFinishedTargetStatus, type InstallationEvent, type Rollout, type RolloutTimelineEvent } from '@flotilla/protocol';
import { EXIT } from './cli-error.js';

/** Pure rendering of a followed rollout: the TTY's progress bar, one line per event, the outcome. */

type Target = Rollout['targets'][number];
/** Failed, rolling back or rolled back: the release did not make it there. */
const BAD_TARGET: readonly Target['status'][] = FAILURE_TARGET_STATUSES;
const ROLLED_BACK: readonly Target['status'][] = ['rolling_back', 'rolled_back'];

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

/**
 * 0 completed with every target fine; 1 failed, aborted, or an installation failed or was rolled
 * back (a rollback pauses the rollout too: the release did not make it); 2 paused otherwise.
 */
export function rolloutExitCode(r: Rollout): number {
  if (r.targets.some((t) => ROLLED_BACK.includes(t.status))) return EXIT.failed;
  if (r.status === 'paused') return EXIT.paused;
  if (r.status === 'completed' && !r.targets.some((t) => BAD_TARGET.includes(t.status))) return EXIT.ok;
  return EXIT.failed;
}

/**
 * The final lines: the outcome, then each installation that failed or was rolled back, with the
 * hub's reason and what its agent last reported unhealthy (`reasons`, by installation id).
 */
export function rolloutSummary(r: Rollout, names: Names, reasons: ReadonlyMap<string, string> = new Map()): string[] {
  const count = (s: Target['status']) => r.targets.filter((t) => t.status === s).length;
  const tally = TARGET_STATUSES.filter((s) => isFinishedTargetStatus(s) || s === 'rolling_back')
    .map((s) => [s, count(s)] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s.replace('_', ' ')}`)
    .join(', ');
  const lines = [`Rollout ${r.id} ${r.status} (release ${r.releaseVersion}${tally ? `; ${tally}` : ''})${r.message ? `: ${r.message}` : ''}`];
  for (const t of r.targets.filter((x) => BAD_TARGET.includes(x.status))) {
    const why = [t.message, reasons.get(t.installationId)].filter((x) => x).join(' — ');
    lines.push(`  ${targetName(names, t.installationId)}: ${t.status.replace('_', ' ')} at stage ${t.stage}${why ? `: ${why}` : ''}`);
  }
  return lines;
}

/** Installations whose outcome needs a reason. */
export function badTargets(r: Rollout): string[] {
  return r.targets.filter((t) => BAD_TARGET.includes(t.status)).map((t) => t.installationId);
}

/** The agent's last unhealthy report since `since` (events newest first), as a reason: `failed: 0/1 up; web: unhealthy: …`. */
export function healthReason(events: readonly InstallationEvent[], since: string): string | undefined {
  const bad = events.find((e) => e.type === 'health' && (e.health === 'failed' || e.health === 'degraded') && e.at >= since && e.message);
  return bad ? `${bad.health}: ${bad.message ?? ''}` : undefined;
}

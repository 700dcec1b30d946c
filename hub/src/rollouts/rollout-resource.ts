import { isFinishedTargetStatus, type Rollout as RolloutResource } from '@flotilla/protocol';
import { isFinished } from './planner.js';
import { shownBlocker } from './blockers.js';
import type { RolloutRow, TargetOwnRow } from './rollout-repository.js';

/** A rollout as the API shows it: its row, its release's version, and its targets (their own columns). */
export function toResource(r: RolloutRow, releaseVersion: string, targets: readonly TargetOwnRow[]): RolloutResource {
  const waves = new Map<number, { index: number; total: number; finished: number }>();
  for (const t of targets) {
    const w = waves.get(t.wave) ?? { index: t.wave, total: 0, finished: 0 };
    w.total += 1;
    if (isFinishedTargetStatus(t.status)) w.finished += 1;
    waves.set(t.wave, w);
  }
  return {
    id: r.id,
    vendorId: r.vendor_id,
    releaseId: r.release_id,
    releaseVersion,
    status: r.status,
    strategy: r.strategy,
    stageCount: r.stage_count,
    message: r.message,
    waves: [...waves.values()].sort((a, b) => a.index - b.index),
    targets: targets.map((t) => toTarget(t, r)),
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    finishedAt: r.finished_at?.toISOString() ?? null,
  };
}

/** A target as the API shows it, within its rollout (a paused rollout holds every unfinished target). */
export function toTarget(t: TargetOwnRow, rollout: Pick<RolloutRow, 'status' | 'message'>): RolloutResource['targets'][number] {
  return {
    installationId: t.installation_id,
    customerId: t.customer_id,
    wave: t.wave,
    status: t.status,
    waitingFor: t.waiting_for,
    stage: t.stage,
    approved: t.approved,
    approvedFor: t.approved_for?.toISOString() ?? null,
    message: t.message,
    finishedAt: t.finished_at?.toISOString() ?? null,
    blocker: shownBlocker(rollout.status, rollout.message, isFinished(t), t.blocker),
    requiredSteps: t.steps.map((s) => ({ releaseId: s.releaseId, version: s.version, stageCount: s.stageCount })),
    step: t.step,
  };
}

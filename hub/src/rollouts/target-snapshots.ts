import type { Knex } from 'knex';
import type { RolloutRepository, TargetRead, TargetRow } from './rollout-repository.js';

/** How long a copy serves before the next advance reads every target again (well inside xid wraparound). */
export const SNAPSHOT_MAX_AGE_MS = 5 * 60_000;

interface Snapshot {
  /** In position order (the full read's). */
  rows: Map<string, TargetRow>;
  watermark: string;
  fullReadAt: number;
}

/**
 * This process's copy of each unfinished rollout's targets, kept current by reading only what
 * changed since the last read. An advance needs every target (the planner counts waves and slots),
 * and a rollout of 10 000 read in full costs about 200 ms of PostgreSQL and as much again to
 * parse; an agent's report changes one. Any process may advance a rollout: what another one wrote
 * is a change like any other, so a copy is never trusted beyond what the database says changed.
 */
export class TargetSnapshots {
  private readonly byRollout = new Map<string, Snapshot>();

  constructor(
    private readonly repo: Pick<RolloutRepository, 'readTargets'>,
    private readonly maxAgeMs = SNAPSHOT_MAX_AGE_MS,
  ) {}

  /** The rollout's targets in position order, as of this statement (call under the rollout's lock). */
  async read(trx: Knex.Transaction, rolloutId: string, now = Date.now()): Promise<TargetRow[]> {
    this.dropOlderThan(now - this.maxAgeMs);
    const held = this.byRollout.get(rolloutId);
    if (held) {
      const delta = await this.repo.readTargets(rolloutId, trx, held.watermark);
      const merged = mergeDelta(held.rows, delta);
      if (merged) {
        held.watermark = delta.watermark;
        return [...merged.values()];
      }
    }
    const full = await this.repo.readTargets(rolloutId, trx, null);
    this.byRollout.set(rolloutId, { rows: new Map(full.rows.map((r) => [r.installation_id, r])), watermark: full.watermark, fullReadAt: now });
    return full.rows;
  }

  /** Drops the copy (the rollout finished, or an advance failed half-way). */
  forget(rolloutId: string): void {
    this.byRollout.delete(rolloutId);
  }

  /** Copies of rollouts this process has not advanced for long (finished elsewhere, say). */
  private dropOlderThan(at: number): void {
    for (const [id, s] of this.byRollout) if (s.fullReadAt < at) this.byRollout.delete(id);
  }
}

/**
 * The copy with the changed rows replaced in place, or undefined when the delta does not fit it: a
 * target the copy lacks, or a count that differs (a target was deleted) call for a full read.
 */
export function mergeDelta(rows: Map<string, TargetRow>, delta: Pick<TargetRead, 'rows' | 'total'>): Map<string, TargetRow> | undefined {
  if (delta.rows.some((r) => !rows.has(r.installation_id)) || delta.total !== rows.size) return undefined;
  for (const r of delta.rows) rows.set(r.installation_id, r);
  return rows;
}

import type { Knex } from 'knex';
import type { Database } from '../../infra/index.js';
import { DAY_MS, HOUR_MS, hourlyStats, hourStart } from './uptime.js';
import type { HourRow, UptimeRepository } from './uptime-repository.js';

export interface UptimeRollupOptions {
  /** Roll-ups older than this many days are deleted; the first roll-up starts this far back. */
  retentionDays: number;
  /** Hours rolled up per run at most (a catch-up after downtime goes on in the next run). */
  maxHoursPerRun?: number;
  /** Hours rolled up per transaction. */
  chunkHours?: number;
  /** Installations read and written per statement. */
  batchSize?: number;
  /** An hour is rolled up this long after it ended (writes stamped inside it may still be committing). */
  graceMs?: number;
}

export interface RollupResult {
  /** Hours rolled up by this run. */
  hours: number;
  rolledUntil: string | null;
  /** Completed hours are left (the run hit its bound): run again. */
  more: boolean;
  purged: number;
  /** Another process held the roll-up: this run did nothing. */
  busy: boolean;
}

/**
 * The hourly uptime roll-up: every completed UTC hour not rolled up yet, for every installation, in
 * transactions of `chunkHours` (the roll-up rows and the progress marker commit together, so
 * readers take a hour either from the roll-ups or from the raw rows, never both). Idempotent
 * (upserts), catches up after downtime, bounded per run.
 */
export class UptimeRollup {
  private readonly maxHoursPerRun: number;
  private readonly chunkHours: number;
  private readonly batchSize: number;
  private readonly graceMs: number;

  constructor(
    private readonly db: Database,
    private readonly repo: UptimeRepository,
    private readonly opts: UptimeRollupOptions,
  ) {
    this.maxHoursPerRun = opts.maxHoursPerRun ?? 7 * 24;
    this.chunkHours = opts.chunkHours ?? 24;
    this.batchSize = opts.batchSize ?? 2000;
    this.graceMs = opts.graceMs ?? 2 * 60_000;
  }

  async run(now = Date.now()): Promise<RollupResult> {
    const due = hourStart(now - this.graceMs); // hours before this one are complete
    const oldest = hourStart(now) - this.opts.retentionDays * DAY_MS;
    let hours = 0;
    let rolledUntil: Date | null = null;
    let busy = false;
    while (hours < this.maxHoursPerRun) {
      const step = await this.db.transaction(async (trx) => {
        const locked = await this.repo.lockProgress(trx, new Date(oldest));
        if (locked === undefined) return 'busy' as const;
        const from = Math.max(locked.getTime(), oldest);
        const to = Math.min(from + Math.min(this.chunkHours, this.maxHoursPerRun - hours) * HOUR_MS, due);
        if (to <= from) return { hours: 0, until: new Date(from) };
        await this.rollUp(trx, from, to);
        await this.repo.setRolledUntil(trx, new Date(to));
        return { hours: (to - from) / HOUR_MS, until: new Date(to) };
      });
      if (step === 'busy') {
        busy = true;
        break;
      }
      rolledUntil = step.until;
      if (step.hours === 0) break;
      hours += step.hours;
    }
    const purged = await this.repo.purgeBefore(new Date(oldest));
    return { hours, rolledUntil: rolledUntil?.toISOString() ?? null, more: !busy && rolledUntil !== null && rolledUntil.getTime() < due, purged, busy };
  }

  /** Rolls up [from, to) for every installation that existed before `to`, a batch at a time. */
  private async rollUp(trx: Knex.Transaction, from: number, to: number): Promise<void> {
    let after: string | null = null;
    for (;;) {
      const batch = await this.repo.installationsBatch(trx, new Date(to), after, this.batchSize);
      if (batch.length === 0) return;
      const inputs = await this.repo.inputs(batch.map((b) => b.id), new Date(from), new Date(to), trx);
      const rows: HourRow[] = [];
      for (const inst of batch) {
        const input = inputs.get(inst.id) ?? { sessions: [], changes: [], initialHealth: 'unknown' as const };
        for (const h of hourlyStats({ ...input, createdAt: inst.created_at.getTime() }, from, to)) {
          if (h.elapsedMs > 0) rows.push({ ...h, installationId: inst.id, vendorId: inst.vendor_id });
        }
      }
      await this.repo.upsertHours(trx, rows);
      after = batch.at(-1)?.id ?? null;
      if (batch.length < this.batchSize) return;
    }
  }
}

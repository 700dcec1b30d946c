import type { Knex } from 'knex';
import type { Database } from '../../infra/index.js';
import { DAY_MS, HOUR_MS, dayStart, hourlyStats, hourStart } from './uptime.js';
import type { HourRow, UptimeRepository } from './uptime-repository.js';

export interface UptimeRollupOptions {
  /** Daily roll-ups older than this many days are deleted; the first roll-up starts this far back. */
  retentionDays: number;
  /** Hourly roll-ups are kept this many days (the 24 h bar, and days being summed, read them). */
  hourlyRetentionDays?: number;
  /** Hours rolled up per run, at least, before it stops at the next UTC day boundary (a catch-up after downtime goes on in the next run). */
  maxHoursPerRun?: number;
  /** Hours rolled up per transaction at most (a transaction never crosses a UTC day). */
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
 * transactions of `chunkHours` (the hourly rows, the daily sums of the days they fall in and the
 * progress marker commit together, so readers take an hour either from the roll-ups or from the raw
 * rows, never both). Idempotent
 * (upserts), catches up after downtime, bounded per run.
 */
export class UptimeRollup {
  private readonly maxHoursPerRun: number;
  private readonly chunkHours: number;
  private readonly batchSize: number;
  private readonly graceMs: number;
  private readonly hourlyRetentionDays: number;

  constructor(
    private readonly db: Database,
    private readonly repo: UptimeRepository,
    private readonly opts: UptimeRollupOptions,
  ) {
    this.maxHoursPerRun = opts.maxHoursPerRun ?? 7 * 24;
    this.chunkHours = opts.chunkHours ?? 24;
    this.batchSize = opts.batchSize ?? 2000;
    this.graceMs = opts.graceMs ?? 2 * 60_000;
    this.hourlyRetentionDays = opts.hourlyRetentionDays ?? 7;
  }

  async run(now = Date.now()): Promise<RollupResult> {
    const due = hourStart(now - this.graceMs); // hours before this one are complete
    const oldest = dayStart(now) - this.opts.retentionDays * DAY_MS;
    let hours = 0;
    let rolledUntil: Date | null = null;
    let busy = false;
    for (;;) {
      const step = await this.db.transaction(async (trx) => {
        const locked = await this.repo.lockProgress(trx, new Date(oldest));
        if (locked === undefined) return 'busy' as const;
        const from = Math.max(locked.getTime(), oldest);
        // A chunk never crosses a UTC day: the day's row is summed from hourly rows all still kept.
        const to = Math.min(from + this.chunkHours * HOUR_MS, dayStart(from) + DAY_MS, due);
        if (to <= from) return { hours: 0, until: new Date(from) };
        await this.rollUp(trx, from, to);
        await this.repo.refreshDays(trx, new Date(dayStart(from)), new Date(to));
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
      // The bound is checked at day boundaries only, so a run never leaves a day half rolled up for
      // the next one to finish after the day's first hours were purged.
      if (hours >= this.maxHoursPerRun && rolledUntil.getTime() % DAY_MS === 0) break;
    }
    const purged = await this.repo.purge(new Date(hourStart(now) - this.hourlyRetentionDays * DAY_MS), new Date(oldest));
    return { hours, rolledUntil: rolledUntil?.toISOString() ?? null, more: !busy && rolledUntil !== null && rolledUntil.getTime() < due, purged, busy };
  }

  /** Rolls up [from, to) for every installation whose agent had connected before `to`, a batch at a time. */
  private async rollUp(trx: Knex.Transaction, from: number, to: number): Promise<void> {
    let after: string | null = null;
    for (;;) {
      const batch = await this.repo.installationsBatch(trx, new Date(to), after, this.batchSize);
      if (batch.length === 0) return;
      const inputs = await this.repo.inputs(batch.map((b) => b.id), new Date(from), new Date(to), trx);
      const rows: HourRow[] = [];
      for (const inst of batch) {
        const input = inputs.get(inst.id) ?? { sessions: [], changes: [], initialHealth: 'unknown' as const };
        for (const h of hourlyStats({ ...input, monitoredFrom: inst.first_connected_at.getTime() }, from, to)) {
          if (h.elapsedMs > 0) rows.push({ ...h, installationId: inst.id, vendorId: inst.vendor_id });
        }
      }
      await this.repo.upsertHours(trx, rows);
      after = batch.at(-1)?.id ?? null;
      if (batch.length < this.batchSize) return;
    }
  }
}

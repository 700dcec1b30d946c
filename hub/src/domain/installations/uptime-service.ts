import type { UptimeSegment, UptimeWindow } from '@flotilla/protocol';
import { addTotals, hourlyStats, segmentLayout, toSegments, totals, windowPercents, type HourStats, type WindowPercents } from './uptime.js';
import type { UptimeRepository } from './uptime-repository.js';

/** What uptime needs of an installation. */
export interface UptimeSubject {
  id: string;
  /** Uptime counts from the agent's first connection (null: never connected). */
  first_connected_at: Date | null;
}

export interface UptimeSummary extends WindowPercents {
  bucket: 'hour' | 'day';
  /** Start of the first segment: the window is whole UTC hours (24h) or days (7d, 30d) up to now. */
  from: Date;
  segments: UptimeSegment[];
}

/**
 * Uptime as the API shows it: completed hours from the roll-ups (hourly rows for the 24 h window, daily
 * rows for 7 d and 30 d: a day's row holds exactly its hours rolled up so far), the hours not rolled up yet
 * (the current one at least) computed live from the raw sessions and health events, so figures are
 * current without reading a window's worth of raw rows.
 */
export class UptimeService {
  constructor(private readonly repo: UptimeRepository) {}

  /** Segments and totals of one installation's window. */
  async summary(vendorId: string, subject: UptimeSubject, window: UptimeWindow, now: Date): Promise<UptimeSummary> {
    const layout = segmentLayout(window, now.getTime());
    const from = layout.starts[0] ?? now.getTime();
    const { split, live } = await this.liveTail([subject], from, now.getTime());
    const rolled = (await this.repo.blocks(layout.bucket, vendorId, [subject.id], new Date(from), new Date(split))).get(subject.id) ?? [];
    const hours = [...rolled, ...(live.get(subject.id) ?? [])];
    return { bucket: layout.bucket, from: new Date(from), ...windowPercents(totals(hours)), segments: toSegments(layout, hours, now.getTime()) };
  }

  /** Window totals of many installations (a list page): roll-up sums in SQL plus the live tail. */
  async percents(vendorId: string, subjects: readonly UptimeSubject[], window: UptimeWindow, now: Date): Promise<Map<string, WindowPercents>> {
    if (subjects.length === 0) return new Map();
    const layout = segmentLayout(window, now.getTime());
    const from = layout.starts[0] ?? now.getTime();
    const { split, live } = await this.liveTail(subjects, from, now.getTime());
    const rolled = await this.repo.totals(layout.bucket, vendorId, subjects.map((s) => s.id), new Date(from), new Date(split));
    const none = { elapsedMs: 0, connectedMs: 0, upMs: 0 };
    return new Map(subjects.map((s) => [s.id, windowPercents(addTotals(rolled.get(s.id) ?? none, totals(live.get(s.id) ?? [])))]));
  }

  /**
   * Where the roll-ups end inside [from, now) (`split`), and the hours after it computed from the
   * raw rows. The split is read first: the roll-ups before it are complete whenever they are read.
   */
  private async liveTail(subjects: readonly UptimeSubject[], from: number, now: number): Promise<{ split: number; live: Map<string, HourStats[]> }> {
    const rolledUntil = (await this.repo.rolledUntil())?.getTime() ?? from;
    const split = Math.min(Math.max(rolledUntil, from), now);
    const live = new Map<string, HourStats[]>();
    if (split >= now) return { split, live };
    const raw = await this.repo.inputs(subjects.map((s) => s.id), new Date(split), new Date(now));
    for (const s of subjects) {
      const input = raw.get(s.id);
      if (input) live.set(s.id, hourlyStats({ ...input, monitoredFrom: s.first_connected_at?.getTime() ?? null }, split, now));
    }
    return { split, live };
  }
}

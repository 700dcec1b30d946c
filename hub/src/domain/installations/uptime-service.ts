import type { UptimeSegment, UptimeWindow } from '@flotilla/protocol';
import { hourlyStats, segmentLayout, toSegments, windowPercents, type HourStats, type UptimeInputs } from './uptime.js';
import type { UptimeRepository } from './uptime-repository.js';

/** What uptime needs of an installation. */
export interface UptimeSubject {
  id: string;
  created_at: Date;
}

export interface UptimeSummary {
  bucket: 'hour' | 'day';
  /** Start of the first segment: the window is whole UTC hours (24h) or days (7d, 30d) up to now. */
  from: Date;
  uptimePercent: number | null;
  connectedPercent: number | null;
  segments: UptimeSegment[];
}

/**
 * Uptime as the API shows it: completed hours from the hourly roll-ups, the hours not rolled up yet
 * (the current one at least) computed live from the raw sessions and health events, so figures are
 * current without reading a window's worth of raw rows.
 */
export class UptimeService {
  constructor(private readonly repo: UptimeRepository) {}

  /** Segments and totals of one installation's window. */
  async summary(vendorId: string, subject: UptimeSubject, window: UptimeWindow, now: Date): Promise<UptimeSummary> {
    const layout = segmentLayout(window, now.getTime());
    const from = layout.starts[0] ?? now.getTime();
    const hours = (await this.hours(vendorId, [subject], from, now.getTime())).get(subject.id) ?? [];
    return { bucket: layout.bucket, from: new Date(from), ...windowPercents(hours), segments: toSegments(layout, hours, now.getTime()) };
  }

  /** Window totals of many installations (a list page) in one round of queries. */
  async percents(vendorId: string, subjects: readonly UptimeSubject[], window: UptimeWindow, now: Date): Promise<Map<string, { uptimePercent: number | null; connectedPercent: number | null }>> {
    const from = segmentLayout(window, now.getTime()).starts[0] ?? now.getTime();
    const hours = await this.hours(vendorId, subjects, from, now.getTime());
    return new Map(subjects.map((s) => [s.id, windowPercents(hours.get(s.id) ?? [])]));
  }

  /** Hourly figures over [from, now): rolled-up hours, then the live tail. */
  private async hours(vendorId: string, subjects: readonly UptimeSubject[], from: number, now: number): Promise<Map<string, HourStats[]>> {
    const out = new Map<string, HourStats[]>();
    if (subjects.length === 0) return out;
    const ids = subjects.map((s) => s.id);
    const rolledUntil = (await this.repo.rolledUntil())?.getTime() ?? from;
    const split = Math.min(Math.max(rolledUntil, from), now);
    const [rolled, raw] = await Promise.all([
      this.repo.hours(vendorId, ids, new Date(from), new Date(split)),
      split < now ? this.repo.inputs(ids, new Date(split), new Date(now)) : Promise.resolve(new Map<string, Omit<UptimeInputs, 'createdAt'>>()),
    ]);
    for (const s of subjects) {
      const input = raw.get(s.id);
      const live = input ? hourlyStats({ ...input, createdAt: s.created_at.getTime() }, split, now) : [];
      out.set(s.id, [...(rolled.get(s.id) ?? []), ...live]);
    }
    return out;
  }
}

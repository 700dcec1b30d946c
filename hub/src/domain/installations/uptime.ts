import type { Health, UptimeSegment, UptimeWindow } from '@flotilla/protocol';

/**
 * Uptime maths, pure: from an installation's agent sessions and health changes to hourly figures
 * (what the roll-up job stores and the live tail computes), and from hourly figures to the
 * status-page segments and window totals the API shows.
 */

export const HOUR_MS = 3600_000;
export const DAY_MS = 24 * HOUR_MS;

export interface Interval {
  start: number;
  /** null: still open. */
  end: number | null;
}

export interface HealthChange {
  at: number;
  health: Health;
}

/** What uptime is computed from, for one installation. */
export interface UptimeInputs {
  /**
   * When uptime starts to count: the agent's first connection (before it the installation was being
   * set up, not down); null while it never connected, so nothing counts yet.
   */
  monitoredFrom: number | null;
  /** Agent sessions overlapping the span (possibly overlapping each other: a reconnect racing a disconnect). */
  sessions: readonly Interval[];
  /** The health before the span (the last change before it; `unknown` if none). */
  initialHealth: Health;
  /** Health changes inside the span. */
  changes: readonly HealthChange[];
}

/** One UTC hour of one installation: what the hourly roll-up stores. */
export interface HourStats {
  /** Start of the hour (epoch ms, a multiple of HOUR_MS). */
  start: number;
  /** Time of the hour that has elapsed since uptime counts (see `UptimeInputs.monitoredFrom`). */
  elapsedMs: number;
  connectedMs: number;
  /** Connected and healthy at the same time. */
  upMs: number;
  /** Disconnections and turns to an unhealthy state that began in the hour. */
  incidents: number;
}

/** Healths that make a turn into them an incident; `progressing` (a deploy) and `unknown` do not. */
const UNHEALTHY: ReadonlySet<Health> = new Set(['degraded', 'failed', 'stopped']);

export const hourStart = (t: number): number => Math.floor(t / HOUR_MS) * HOUR_MS;
export const dayStart = (t: number): number => Math.floor(t / DAY_MS) * DAY_MS;

/**
 * The figures of each UTC hour overlapping [from, to) (the last one partial when `to` is now).
 * Sessions are merged (overlaps count once; a disconnection is the end of a merged stretch), health
 * is a step function from `initialHealth`, and nothing counts before `monitoredFrom`.
 */
export function hourlyStats(input: UptimeInputs, from: number, to: number): HourStats[] {
  const out: HourStats[] = [];
  if (to <= from) return out;
  const monitoredFrom = input.monitoredFrom ?? Infinity;
  const existsFrom = Math.max(from, monitoredFrom);
  const merged = mergeOpen(input.sessions);
  const connected = clip(merged, existsFrom, to);
  const up = intersect(connected, healthyIntervals(from, to, input.initialHealth, input.changes));
  const incidentsAt = [...merged.flatMap((m) => (m.end === null ? [] : [m.end])), ...unhealthyTurns(input.initialHealth, input.changes)];
  for (let h = hourStart(from); h < to; h += HOUR_MS) {
    const s = Math.max(h, from);
    const e = Math.min(h + HOUR_MS, to);
    out.push({
      start: h,
      elapsedMs: Math.max(0, e - Math.max(s, monitoredFrom)),
      connectedMs: overlap(connected, s, e),
      upMs: overlap(up, s, e),
      incidents: incidentsAt.filter((t) => t >= s && t < e).length,
    });
  }
  return out;
}

export interface WindowTotals {
  elapsedMs: number;
  connectedMs: number;
  upMs: number;
}

export function totals(hours: readonly HourStats[]): WindowTotals {
  const t = { elapsedMs: 0, connectedMs: 0, upMs: 0 };
  for (const h of hours) {
    t.elapsedMs += h.elapsedMs;
    t.connectedMs += h.connectedMs;
    t.upMs += h.upMs;
  }
  return t;
}

export function percent(part: number, whole: number): number | null {
  if (whole <= 0) return null;
  return Math.round((part / whole) * 100_000) / 1000;
}

/** Adds window totals up (roll-up sums and the live tail). */
export function addTotals(...parts: readonly WindowTotals[]): WindowTotals {
  return parts.reduce((a, b) => ({ elapsedMs: a.elapsedMs + b.elapsedMs, connectedMs: a.connectedMs + b.connectedMs, upMs: a.upMs + b.upMs }), { elapsedMs: 0, connectedMs: 0, upMs: 0 });
}

export interface WindowPercents {
  uptimePercent: number | null;
  connectedPercent: number | null;
}

/** Uptime and connected time in percent of the elapsed time; null when the agent never connected in the window. */
export function windowPercents(t: WindowTotals): WindowPercents {
  if (t.connectedMs <= 0) return { uptimePercent: null, connectedPercent: null };
  return { uptimePercent: percent(t.upMs, t.elapsedMs), connectedPercent: percent(t.connectedMs, t.elapsedMs) };
}

export interface SegmentLayout {
  bucket: 'hour' | 'day';
  /** Segment starts, oldest first; each lasts `sizeMs`; the last one holds `now`. */
  starts: number[];
  sizeMs: number;
}

const SEGMENTS: Record<UptimeWindow, { bucket: 'hour' | 'day'; count: number }> = {
  '24h': { bucket: 'hour', count: 24 },
  '7d': { bucket: 'day', count: 7 },
  '30d': { bucket: 'day', count: 30 },
};

/** The status-page bar of a window: 24 UTC hours, or 7 or 30 UTC days, the last one being the current one. */
export function segmentLayout(window: UptimeWindow, now: number): SegmentLayout {
  const { bucket, count } = SEGMENTS[window];
  const sizeMs = bucket === 'hour' ? HOUR_MS : DAY_MS;
  const last = bucket === 'hour' ? hourStart(now) : dayStart(now);
  return { bucket, sizeMs, starts: Array.from({ length: count }, (_, i) => last - (count - 1 - i) * sizeMs) };
}

/**
 * One segment per layout slot from hourly figures (missing hours count as not existing). The
 * percentages are of the part of the segment elapsed by `now` and add up to exactly 100.
 */
export function toSegments(layout: SegmentLayout, hours: readonly HourStats[], now: number): UptimeSegment[] {
  return layout.starts.map((start) => {
    const end = start + layout.sizeMs;
    const inside = hours.filter((h) => h.start >= start && h.start < end);
    const t = totals(inside);
    const span = Math.max(0, Math.min(end, now) - start);
    const [onlinePercent, degradedPercent, offlinePercent, noDataPercent] =
      span === 0 ? [0, 0, 0, 100] : shares([t.upMs, t.connectedMs - t.upMs, t.elapsedMs - t.connectedMs, span - t.elapsedMs], span);
    return {
      start: new Date(start).toISOString(),
      end: new Date(end).toISOString(),
      onlinePercent: onlinePercent ?? 0,
      degradedPercent: degradedPercent ?? 0,
      offlinePercent: offlinePercent ?? 0,
      noDataPercent: noDataPercent ?? 0,
      incidents: inside.reduce((n, h) => n + h.incidents, 0),
    };
  });
}

/** Percentages of `whole` with three decimals that add up to exactly 100 (largest remainders get the rounding). */
function shares(parts: number[], whole: number): number[] {
  const exact = parts.map((p) => (Math.max(0, p) / whole) * 100_000);
  const floored = exact.map(Math.floor);
  let left = 100_000 - floored.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => ({ i, frac: x - Math.floor(x) })).sort((a, b) => b.frac - a.frac);
  for (const { i } of order) {
    if (left <= 0) break;
    floored[i] = (floored[i] ?? 0) + 1;
    left--;
  }
  return floored.map((x) => x / 1000);
}

type Closed = { start: number; end: number };
type Open = { start: number; end: number | null };

/** Merges overlapping or touching intervals; an open one (end null) absorbs everything after its start. */
function mergeOpen(intervals: readonly Interval[]): Open[] {
  const sorted = [...intervals].sort((a, b) => a.start - b.start);
  const out: Open[] = [];
  for (const i of sorted) {
    const last = out.at(-1);
    if (last && (last.end === null || i.start <= last.end)) last.end = last.end === null || i.end === null ? null : Math.max(last.end, i.end);
    else out.push({ ...i });
  }
  return out;
}

function clip(intervals: readonly Open[], from: number, to: number): Closed[] {
  return intervals.map((i) => ({ start: Math.max(from, i.start), end: Math.min(to, i.end ?? to) })).filter((i) => i.end > i.start);
}

function healthyIntervals(from: number, to: number, initial: Health, changes: readonly HealthChange[]): Closed[] {
  const out: Closed[] = [];
  let current = initial;
  let since = from;
  for (const c of [...changes].sort((a, b) => a.at - b.at)) {
    if (c.at >= to) break;
    const at = Math.max(from, c.at);
    if (current === 'healthy' && at > since) out.push({ start: since, end: at });
    current = c.health;
    since = at;
  }
  if (current === 'healthy' && to > since) out.push({ start: since, end: to });
  return out;
}

/** Times the health went from a state that is not unhealthy to one that is. */
function unhealthyTurns(initial: Health, changes: readonly HealthChange[]): number[] {
  const out: number[] = [];
  let current = initial;
  for (const c of [...changes].sort((a, b) => a.at - b.at)) {
    if (UNHEALTHY.has(c.health) && !UNHEALTHY.has(current)) out.push(c.at);
    current = c.health;
  }
  return out;
}

function intersect(a: Closed[], b: Closed[]): Closed[] {
  const out: Closed[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] as Closed;
    const y = b[j] as Closed;
    const start = Math.max(x.start, y.start);
    const end = Math.min(x.end, y.end);
    if (end > start) out.push({ start, end });
    if (x.end < y.end) i++;
    else j++;
  }
  return out;
}

/** Total time of sorted, disjoint intervals inside [from, to). */
function overlap(intervals: readonly Closed[], from: number, to: number): number {
  let sum = 0;
  for (const i of intervals) {
    if (i.start >= to) break;
    sum += Math.max(0, Math.min(to, i.end) - Math.max(from, i.start));
  }
  return sum;
}

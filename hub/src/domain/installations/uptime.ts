import type { Health } from '@flotilla/protocol';

export interface Interval {
  start: number;
  /** null: still open (counts until the window's end). */
  end: number | null;
}

export interface HealthChange {
  at: number;
  health: Health;
}

export interface UptimeResult {
  elapsedMs: number;
  connectedMs: number;
  /** Connected and healthy at the same time. */
  upMs: number;
}

/**
 * Uptime over [from, to]: time the agent was connected and the installation healthy, against the
 * elapsed time. Pure: sessions (possibly overlapping, e.g. a reconnect racing a disconnect) are
 * merged; health is a step function starting at `initialHealth` (the last change before `from`).
 */
export function computeUptime(from: number, to: number, sessions: readonly Interval[], initialHealth: Health, changes: readonly HealthChange[]): UptimeResult {
  const elapsedMs = Math.max(0, to - from);
  const connected = mergeIntervals(sessions.map((s) => ({ start: Math.max(from, s.start), end: Math.min(to, s.end ?? to) })).filter((s) => s.end > s.start));
  const healthy = healthyIntervals(from, to, initialHealth, changes);
  return {
    elapsedMs,
    connectedMs: total(connected),
    upMs: total(intersect(connected, healthy)),
  };
}

export function percent(part: number, whole: number): number | null {
  if (whole <= 0) return null;
  return Math.round((part / whole) * 100_000) / 1000;
}

type Closed = { start: number; end: number };

function mergeIntervals(intervals: Closed[]): Closed[] {
  const sorted = [...intervals].sort((a, b) => a.start - b.start);
  const out: Closed[] = [];
  for (const i of sorted) {
    const last = out.at(-1);
    if (last && i.start <= last.end) last.end = Math.max(last.end, i.end);
    else out.push({ ...i });
  }
  return out;
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

function total(intervals: Closed[]): number {
  return intervals.reduce((sum, i) => sum + (i.end - i.start), 0);
}

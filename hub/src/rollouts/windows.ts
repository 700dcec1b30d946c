import { Cron } from 'croner';
import type { MaintenanceWindow } from '@flotilla/protocol';
import { localDate, resolveLocal } from './zoned-time.js';

/**
 * Maintenance windows, computed exactly (no scanning: a 5-minute window is found like a 5-hour one).
 *
 * Each window is a series of intervals [opensAt, closesAt) in real time:
 * - weekly `{days, start, end}`: one interval per listed day, from `start` on that local day to the
 *   next `end` (the next day when `end` ≤ `start`, so 22:00–02:00 runs past midnight and 00:00–00:00
 *   is a whole day);
 * - cron `{cron, durationMinutes}`: one interval per start the cron expression gives, lasting
 *   `durationMinutes` of real time.
 * Several windows (or overlapping intervals) are their union.
 *
 * Daylight-saving days (both forms follow croner's Vixie-cron rules, so they agree):
 * - a local time that does not exist (spring forward) is the first instant after the gap: a window
 *   from 02:30 on the night New York skips 02:00–03:00 opens at 03:00 EDT; if its end is in the
 *   gap too and the interval would be empty, it keeps its nominal length from there;
 * - a local time that occurs twice (fall back) is its first occurrence: a 01:00–01:30 window opens
 *   once, at 01:00 EDT, and is closed during the repeated 01:00–01:30 EST.
 * So every listed day opens its window exactly once: never skipped, never twice. A weekly window's
 * length is wall-clock time (02:00–06:00 lasts 3 h on a spring-forward night, 5 h on a fall-back one);
 * a cron window's duration is real time. Cron jobs with a wildcard, step, range or list in their
 * minute or hour field are interval jobs (croner): they run at both occurrences of a repeated time
 * and skip times in a gap, exactly like their cron.
 */

export interface WindowState {
  inWindow: boolean;
  /** When the next window opens, if not in one now (null: no window at all, or none ever again). */
  nextWindowAt: number | null;
  /**
   * When the current window closes: null outside a window, with no windows, or when the windows
   * stay open for longer than CLOSE_HORIZON from now (`0 * * * *` for 90 minutes never closes).
   */
  closesAt: number | null;
}

interface Interval {
  opensAt: number;
  closesAt: number;
}

const MINUTE = 60_000;
/**
 * How far ahead a close is followed. A bound in time, not in steps, so the answer depends only on
 * the windows and the instant: counting starts made Monday 00:00 of an hourly Mon–Fri window answer
 * "never closes" while Monday 20:00 found its Saturday close, and a remembered state disagreed with
 * a fresh one. Longer than the longest single window (a cron lasts at most 7 days).
 */
export const CLOSE_HORIZON = 8 * 24 * 60 * MINUTE;

/**
 * The state with its close followed at most to `at + CLOSE_HORIZON`: `reach` is the exact close
 * when ≤ that bound, otherwise a point past it to which the windows are known to stay open.
 */
interface Reach {
  inWindow: boolean;
  nextWindowAt: number | null;
  reach: number | null;
}

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const DAY_MINUTES = 24 * 60;

const toMinutes = (hhmm: string) => {
  const [h = 0, m = 0] = hhmm.split(':').map(Number);
  return h * 60 + m;
};

/** The interval a weekly window opens on one local date (y, m, d), if that date is listed. */
function weeklyInterval(w: Extract<MaintenanceWindow, { days: string[] }>, y: number, m: number, d: number): Interval | null {
  const weekday = DAYS[new Date(Date.UTC(y, m - 1, d)).getUTCDay()] ?? 'sun';
  if (!(w.days as readonly string[]).includes(weekday)) return null;
  const start = toMinutes(w.start);
  const end = toMinutes(w.end);
  const nominal = (end - start + DAY_MINUTES) % DAY_MINUTES || DAY_MINUTES;
  const opensAt = resolveLocal(w.timeZone, y, m, d, start);
  const closesAt = resolveLocal(w.timeZone, y, m, d + (end <= start ? 1 : 0), end);
  return { opensAt, closesAt: closesAt > opensAt ? closesAt : opensAt + nominal * MINUTE };
}

/** Weekly intervals that may contain `at` or open after it, within the coming week. */
function weeklyIntervals(w: Extract<MaintenanceWindow, { days: string[] }>, at: number): Interval[] {
  const { y, m, d } = localDate(w.timeZone, at);
  const out: Interval[] = [];
  // A window opened at most a day (plus a DST hour) before `at`; every listed day recurs within 7;
  // and every interval opening before `at + CLOSE_HORIZON` (8 days, plus a DST hour) is needed.
  for (let k = -2; k <= 10; k++) {
    const i = weeklyInterval(w, y, m, d + k);
    if (i) out.push(i);
  }
  return out;
}

const crons = new Map<string, Cron>();
/** A parsed cron schedule (no timer: croner only schedules when given a function). */
function cronOf(w: Extract<MaintenanceWindow, { cron: string }>): Cron {
  const key = `${w.timeZone} ${w.cron}`;
  let c = crons.get(key);
  if (!c) {
    c = new Cron(w.cron, { timezone: w.timeZone, paused: true });
    if (crons.size > 10_000) crons.clear();
    crons.set(key, c);
  }
  return c;
}

/** A cron window's state at `at`, its close followed up to `bound`. */
function cronState(w: Extract<MaintenanceWindow, { cron: string }>, at: number, bound: number): Reach {
  const c = cronOf(w);
  const length = w.durationMinutes * MINUTE;
  // croner's references are exclusive: the last start ≤ at, and the first after it.
  const [last] = c.previousRuns(1, new Date(at + 1));
  if (!last || at >= last.getTime() + length) return { inWindow: false, nextWindowAt: c.nextRuns(1, new Date(at)).at(0)?.getTime() ?? null, reach: null };
  // Starts before (or at) the close extend the window: the close moves to the last start up to it
  // plus the length, until no start does (every start lasts the same, so the last one reaches furthest).
  let reach = last.getTime() + length;
  while (reach <= bound) {
    const extended = (c.previousRuns(1, new Date(reach + 1)).at(0)?.getTime() ?? 0) + length;
    if (extended <= reach) break;
    reach = extended;
  }
  return { inWindow: true, nextWindowAt: null, reach };
}

function weeklyState(w: Extract<MaintenanceWindow, { days: string[] }>, at: number): Reach {
  const intervals = weeklyIntervals(w, at);
  const current = intervals.filter((i) => i.opensAt <= at && at < i.closesAt);
  if (current.length === 0) {
    const next = Math.min(...intervals.filter((i) => i.opensAt > at).map((i) => i.opensAt));
    return { inWindow: false, nextWindowAt: Number.isFinite(next) ? next : null, reach: null };
  }
  return { inWindow: true, nextWindowAt: null, reach: unionEnd(intervals, Math.max(...current.map((i) => i.closesAt))) };
}

/** Where a run of overlapping or touching intervals that reaches `end` stops. */
function unionEnd(intervals: readonly Interval[], end: number): number {
  let e = end;
  for (const i of [...intervals].sort((a, b) => a.opensAt - b.opensAt)) if (i.opensAt <= e && i.closesAt > e) e = i.closesAt;
  return e;
}

/** Throws with a readable message if a window cannot be evaluated (unknown time zone, bad cron). */
export function checkWindow(w: MaintenanceWindow): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: w.timeZone });
  } catch {
    throw new Error(`unknown time zone "${w.timeZone}"`);
  }
  if ('cron' in w) {
    try {
      cronOf(w).nextRuns(1);
    } catch (err) {
      throw new Error(`cron "${w.cron}": ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

/**
 * Whether `at` is inside any of the windows (no windows: always open), when the current one
 * closes, and if outside, when the next one opens. Exact to the millisecond. Pure.
 */
export function windowState(windows: readonly MaintenanceWindow[], at: number): WindowState {
  if (windows.length === 0) return { inWindow: true, nextWindowAt: null, closesAt: null };
  // The state holds until the next change (the close, or the next opening), so it is remembered
  // until then: 10 000 installations sharing a few window settings cost a few computations a step.
  const key = JSON.stringify(windows);
  const known = memo.get(key);
  if (known && known.from <= at && at < known.until) return known.state;
  const r = reachOf(windows, at);
  const state = stateOf(r, at);
  if (memo.size >= 10_000) memo.clear();
  memo.set(key, { from: at, until: rememberedUntil(r, at), state });
  return state;
}

const memo = new Map<string, { from: number; until: number; state: WindowState }>();

/**
 * Until when a state computed at `at` stays the answer. Open past the horizon: until the horizon
 * from the later instant passes the known reach (before that, it is "open, closes past the horizon" too).
 */
function rememberedUntil(r: Reach, at: number): number {
  if (!r.inWindow) return r.nextWindowAt ?? at + 1;
  if (r.reach === null) return at + 1;
  return r.reach > at + CLOSE_HORIZON ? r.reach - CLOSE_HORIZON : r.reach;
}

function stateOf(r: Reach, at: number): WindowState {
  if (!r.inWindow) return { inWindow: false, nextWindowAt: r.nextWindowAt, closesAt: null };
  return { inWindow: true, nextWindowAt: null, closesAt: r.reach !== null && r.reach <= at + CLOSE_HORIZON ? r.reach : null };
}

/** `windowState` without remembering (for tests that must not be served what they check). */
export function computeWindowState(windows: readonly MaintenanceWindow[], at: number): WindowState {
  if (windows.length === 0) return { inWindow: true, nextWindowAt: null, closesAt: null };
  return stateOf(reachOf(windows, at), at);
}

const stateAt = (w: MaintenanceWindow, at: number, bound: number): Reach => ('cron' in w ? cronState(w, at, bound) : weeklyState(w, at));

function reachOf(windows: readonly MaintenanceWindow[], at: number): Reach {
  const bound = at + CLOSE_HORIZON;
  const states = windows.map((w) => stateAt(w, at, bound));
  const open = states.filter((s) => s.inWindow);
  if (open.length === 0) {
    const next = states.flatMap((s) => (s.nextWindowAt === null ? [] : [s.nextWindowAt]));
    return { inWindow: false, nextWindowAt: next.length > 0 ? Math.min(...next) : null, reach: null };
  }
  // Where the union closes: a window open at the current close extends it (windows that overlap
  // or touch). Each round moves the close forward, to the end of some window's run.
  let reach = Math.max(...open.map((s) => s.reach ?? at));
  while (reach <= bound) {
    const later = windows.map((w) => stateAt(w, reach, bound)).filter((s) => s.inWindow);
    if (later.length === 0) break;
    reach = Math.max(...later.map((s) => s.reach ?? reach));
  }
  return { inWindow: true, nextWindowAt: null, reach };
}

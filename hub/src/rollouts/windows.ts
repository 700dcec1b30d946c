import { CronExpressionParser } from 'cron-parser';
import type { MaintenanceWindow } from '@flotilla/protocol';

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const MINUTE = 60_000;

/** Local wall-clock fields of an instant in a time zone. */
function local(at: number, timeZone: string): { day: number; minutes: number } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(at));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const day = DAYS.indexOf(get('weekday').toLowerCase().slice(0, 3) as (typeof DAYS)[number]);
  return { day, minutes: Number(get('hour')) * 60 + Number(get('minute')) };
}

function toMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** Is `at` inside a weekly window? A window whose end is before its start runs past midnight. */
function inWeekly(w: Extract<MaintenanceWindow, { days: string[] }>, at: number): boolean {
  const { day, minutes } = local(at, w.timeZone);
  const start = toMinutes(w.start);
  const end = toMinutes(w.end);
  const days = new Set(w.days.map((d) => DAYS.indexOf(d)));
  if (start < end) return days.has(day) && minutes >= start && minutes < end;
  // overnight: from start on a listed day until end on the next day
  return (days.has(day) && minutes >= start) || (days.has((day + 6) % 7) && minutes < end);
}

function inCron(w: Extract<MaintenanceWindow, { cron: string }>, at: number): boolean {
  const expr = CronExpressionParser.parse(w.cron, { currentDate: new Date(at + 1), tz: w.timeZone });
  const lastStart = expr.prev().getTime();
  return at < lastStart + w.durationMinutes * MINUTE;
}

/** Throws with a readable message if a window cannot be evaluated (bad time zone or cron). */
export function checkWindow(w: MaintenanceWindow): void {
  new Intl.DateTimeFormat('en-US', { timeZone: w.timeZone });
  if ('cron' in w) CronExpressionParser.parse(w.cron, { tz: w.timeZone });
}

/**
 * Whether `at` is inside any window (no windows: always open), and if not, when the next one
 * opens (searched minute by minute on a coarse-then-fine scan over the next 8 days). Pure.
 */
export function windowState(windows: readonly MaintenanceWindow[], at: number): { inWindow: boolean; nextWindowAt: number | null } {
  if (windows.length === 0) return { inWindow: true, nextWindowAt: null };
  const open = (t: number) => windows.some((w) => ('cron' in w ? inCron(w, t) : inWeekly(w, t)));
  if (open(at)) return { inWindow: true, nextWindowAt: null };
  const step = 15 * MINUTE;
  for (let t = at - (at % MINUTE) + MINUTE; t <= at + 8 * 24 * 60 * MINUTE; t += step) {
    if (open(t)) {
      // refine to the minute within the last step
      for (let u = Math.max(at + MINUTE, t - step); u <= t; u += MINUTE) if (open(u)) return { inWindow: false, nextWindowAt: u - (u % MINUTE) };
      return { inWindow: false, nextWindowAt: t };
    }
  }
  return { inWindow: false, nextWindowAt: null };
}

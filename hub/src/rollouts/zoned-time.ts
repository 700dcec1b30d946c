/**
 * Local wall-clock time in IANA time zones, from the platform's Intl data (no library needed for
 * two functions). Pure.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The local wall-clock fields of an instant. */
function fields(timeZone: string, at: number): { y: number; m: number; d: number; h: number; min: number; s: number } {
  const out = { y: 0, m: 0, d: 0, h: 0, min: 0, s: 0 };
  const key = { year: 'y', month: 'm', day: 'd', hour: 'h', minute: 'min', second: 's' } as const;
  for (const p of formatter(timeZone).formatToParts(new Date(at))) if (p.type in key) out[key[p.type as keyof typeof key]] = Number(p.value);
  return out;
}

/** The zone's offset from UTC at an instant, in ms (local = UTC + offset). */
export function offsetAt(timeZone: string, at: number): number {
  const f = fields(timeZone, at);
  const whole = at - (((at % 1000) + 1000) % 1000);
  return Date.UTC(f.y, f.m - 1, f.d, f.h, f.min, f.s) - whole;
}

/** The local calendar date of an instant. */
export function localDate(timeZone: string, at: number): { y: number; m: number; d: number } {
  const { y, m, d } = fields(timeZone, at);
  return { y, m, d };
}

/**
 * The instant a local wall-clock time (day `d` may overflow the month, as in Date.UTC) happens:
 * a time that occurs twice (fall back) is its first occurrence; a time that does not exist (spring
 * forward) is the first instant after the gap. These are croner's (and Vixie cron's) rules for
 * fixed-time jobs, so weekly and cron windows agree.
 */
export function resolveLocal(timeZone: string, y: number, m: number, d: number, minutes: number): number {
  const wall = Date.UTC(y, m - 1, d, 0, minutes);
  // Offsets in force around this wall time: a transition lies between them, if any.
  const offsets = [...new Set([offsetAt(timeZone, wall - 2 * 86_400_000), offsetAt(timeZone, wall - 86_400_000), offsetAt(timeZone, wall), offsetAt(timeZone, wall + 86_400_000)])];
  const valid = offsets.map((o) => wall - o).filter((t) => offsetAt(timeZone, t) === wall - t);
  if (valid.length > 0) return Math.min(...valid);
  // In a gap: the transition is between the instant this time would be at the earlier and the later offset.
  let lo = Math.min(...offsets.map((o) => wall - o));
  let hi = Math.max(...offsets.map((o) => wall - o));
  const before = offsetAt(timeZone, lo);
  while (hi - lo > 1000) {
    const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
    if (offsetAt(timeZone, mid) === before) lo = mid;
    else hi = mid;
  }
  return hi;
}

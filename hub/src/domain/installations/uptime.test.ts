import { describe, expect, it } from 'vitest';
import { addTotals, DAY_MS, HOUR_MS, hourlyStats, percent, segmentLayout, toSegments, totals, windowPercents, type HourStats, type UptimeInputs } from './uptime.js';
import { overallHealth, runningVersionOf } from './health.js';

const H = HOUR_MS;
/** Midnight UTC, 2026-12-01: day and hour boundaries fall on round numbers of H. */
const T0 = Date.UTC(2026, 11, 1);
const at = (hours: number) => T0 + hours * H;
const inputs = (p: Partial<UptimeInputs>): UptimeInputs => ({ monitoredFrom: at(-100), sessions: [], initialHealth: 'healthy', changes: [], ...p });
const pick = (hours: HourStats[], keys: (keyof HourStats)[]) => hours.map((h) => Object.fromEntries(keys.map((k) => [k, h[k]])));

describe('hourlyStats', () => {
  it('fills each UTC hour, connected and healthy the whole span', () => {
    const r = hourlyStats(inputs({ sessions: [{ start: at(-1), end: null }] }), at(0), at(3));
    expect(r).toEqual([0, 1, 2].map((h) => ({ start: at(h), elapsedMs: H, connectedMs: H, upMs: H, incidents: 0 })));
  });

  it('splits a session at hour boundaries and counts its end as a disconnection in the hour it happens', () => {
    const r = hourlyStats(inputs({ sessions: [{ start: at(0.5), end: at(1.25) }] }), at(0), at(2));
    expect(pick(r, ['connectedMs', 'upMs', 'incidents'])).toEqual([
      { connectedMs: 0.5 * H, upMs: 0.5 * H, incidents: 0 },
      { connectedMs: 0.25 * H, upMs: 0.25 * H, incidents: 1 },
    ]);
  });

  it('merges overlapping sessions: counted once, and a session closing under another one is no disconnection', () => {
    // a reconnect (0.4–open) raced the old session's close (0–0.6)
    const r = hourlyStats(inputs({ sessions: [{ start: at(0), end: at(0.6) }, { start: at(0.4), end: null }] }), at(0), at(1));
    expect(r[0]).toMatchObject({ connectedMs: H, incidents: 0 });
    const closed = hourlyStats(inputs({ sessions: [{ start: at(0), end: at(0.6) }, { start: at(0.4), end: at(0.8) }] }), at(0), at(1));
    expect(closed[0]).toMatchObject({ connectedMs: 0.8 * H, incidents: 1 });
  });

  it('a session that touches the next one leaves no gap and no incident', () => {
    const r = hourlyStats(inputs({ sessions: [{ start: at(0), end: at(0.5) }, { start: at(0.5), end: null }] }), at(0), at(1));
    expect(r[0]).toMatchObject({ connectedMs: H, incidents: 0 });
  });

  it('counts nothing while its agent never connected', () => {
    const r = hourlyStats(inputs({ monitoredFrom: null }), at(0), at(2));
    expect(pick(r, ['elapsedMs', 'connectedMs', 'upMs', 'incidents'])).toEqual([
      { elapsedMs: 0, connectedMs: 0, upMs: 0, incidents: 0 },
      { elapsedMs: 0, connectedMs: 0, upMs: 0, incidents: 0 },
    ]);
  });

  it('counts from the first connection on (mid-hour), offline time after it included', () => {
    const r = hourlyStats(inputs({ monitoredFrom: at(1.25), sessions: [{ start: at(1.25), end: at(1.5) }, { start: at(1.75), end: null }] }), at(0), at(3));
    expect(pick(r, ['elapsedMs', 'connectedMs'])).toEqual([
      { elapsedMs: 0, connectedMs: 0 },
      { elapsedMs: 0.75 * H, connectedMs: 0.5 * H },
      { elapsedMs: H, connectedMs: H },
    ]);
  });

  it('the current hour is partial: elapsed up to now only', () => {
    const r = hourlyStats(inputs({ sessions: [{ start: at(-1), end: null }] }), at(0), at(1.5));
    expect(pick(r, ['start', 'elapsedMs', 'connectedMs'])).toEqual([
      { start: at(0), elapsedMs: H, connectedMs: H },
      { start: at(1), elapsedMs: 0.5 * H, connectedMs: 0.5 * H },
    ]);
  });

  it('counts only connected and healthy time as up, from the health before the span', () => {
    const r = hourlyStats(inputs({ initialHealth: 'failed', sessions: [{ start: at(-5), end: null }], changes: [{ at: at(0.5), health: 'healthy' }] }), at(0), at(2));
    expect(pick(r, ['connectedMs', 'upMs'])).toEqual([
      { connectedMs: H, upMs: 0.5 * H },
      { connectedMs: H, upMs: H },
    ]);
  });

  it('healthy while disconnected is not up', () => {
    const r = hourlyStats(inputs({ sessions: [{ start: at(0), end: at(0.25) }] }), at(0), at(1));
    expect(r[0]).toMatchObject({ elapsedMs: H, connectedMs: 0.25 * H, upMs: 0.25 * H });
  });

  it('health flapping: every turn to an unhealthy state is an incident, in the hour it began', () => {
    const changes = [
      { at: at(0.1), health: 'failed' as const },
      { at: at(0.2), health: 'healthy' as const },
      { at: at(0.3), health: 'degraded' as const },
      { at: at(0.4), health: 'failed' as const }, // still unhealthy: no new incident
      { at: at(1.1), health: 'healthy' as const },
      { at: at(1.5), health: 'stopped' as const },
    ];
    const r = hourlyStats(inputs({ sessions: [{ start: at(-1), end: null }], changes }), at(0), at(2));
    expect(pick(r, ['upMs', 'incidents'])).toEqual([
      { upMs: 0.1 * H + 0.1 * H, incidents: 2 },
      { upMs: 0.4 * H, incidents: 1 },
    ]);
  });

  it('a deploy (progressing) and unknown are not incidents, but a failure after them is', () => {
    const changes = [
      { at: at(0.1), health: 'progressing' as const },
      { at: at(0.2), health: 'unknown' as const },
      { at: at(0.3), health: 'failed' as const },
    ];
    const r = hourlyStats(inputs({ sessions: [{ start: at(-1), end: null }], changes }), at(0), at(1));
    expect(r[0]).toMatchObject({ upMs: 0.1 * H, connectedMs: H, incidents: 1 });
  });

  it('an unhealthy state before the span is not an incident in it', () => {
    const r = hourlyStats(inputs({ initialHealth: 'failed', sessions: [{ start: at(-1), end: null }], changes: [{ at: at(0.5), health: 'degraded' }] }), at(0), at(1));
    expect(r[0]).toMatchObject({ upMs: 0, incidents: 0 });
  });

  it('nothing for an empty span', () => {
    expect(hourlyStats(inputs({}), at(1), at(1))).toEqual([]);
  });
});

describe('segments', () => {
  const hour = (start: number, p: Partial<HourStats> = {}): HourStats => ({ start, elapsedMs: H, connectedMs: H, upMs: H, incidents: 0, ...p });

  it('24h: 24 UTC hours, the last one holding now', () => {
    const layout = segmentLayout('24h', at(10.5));
    expect(layout.bucket).toBe('hour');
    expect(layout.starts).toHaveLength(24);
    expect(layout.starts[0]).toBe(at(-13));
    expect(layout.starts[23]).toBe(at(10));
  });

  it('7d and 30d: UTC days, the last one being today', () => {
    const week = segmentLayout('7d', at(10.5));
    expect(week.bucket).toBe('day');
    expect(week.starts).toEqual([-6, -5, -4, -3, -2, -1, 0].map((d) => T0 + d * DAY_MS));
    const month = segmentLayout('30d', at(24) - 1);
    expect(month.starts[29]).toBe(T0);
    expect(month.starts[0]).toBe(T0 - 29 * DAY_MS);
  });

  it('percentages are of the elapsed part of a segment and add up to 100', () => {
    const layout = segmentLayout('24h', at(1.5));
    const hours = [hour(at(0), { upMs: 0.5 * H, connectedMs: 0.75 * H, incidents: 2 }), hour(at(1), { elapsedMs: 0.5 * H, connectedMs: 0.5 * H, upMs: 0.5 * H })];
    const segs = toSegments(layout, hours, at(1.5));
    expect(segs.at(-2)).toEqual({ start: new Date(at(0)).toISOString(), end: new Date(at(1)).toISOString(), onlinePercent: 50, degradedPercent: 25, offlinePercent: 25, noDataPercent: 0, incidents: 2 });
    expect(segs.at(-1)).toMatchObject({ onlinePercent: 100, noDataPercent: 0 });
    // hours the installation did not exist in are no data
    expect(segs[0]).toMatchObject({ onlinePercent: 0, offlinePercent: 0, noDataPercent: 100 });
  });

  it('a day segment sums its hours; creation mid-day shows as no data', () => {
    const now = at(12);
    const hours = [hour(at(6), { elapsedMs: 0.5 * H, connectedMs: 0.5 * H, upMs: 0.5 * H }), ...[7, 8, 9, 10, 11].map((h) => hour(at(h), { upMs: 0, incidents: 1 }))];
    const today = toSegments(segmentLayout('7d', now), hours, now).at(-1);
    // 12 h elapsed: 0.5 h up, 5 h degraded, 6.5 h before creation
    expect(today).toMatchObject({ onlinePercent: 4.167, degradedPercent: 41.667, offlinePercent: 0, noDataPercent: 54.166, incidents: 5 });
    const sum = (today?.onlinePercent ?? 0) + (today?.degradedPercent ?? 0) + (today?.offlinePercent ?? 0) + (today?.noDataPercent ?? 0);
    expect(sum).toBeCloseTo(100, 9);
  });

  it('a segment starting now has nothing elapsed: all no data', () => {
    const segs = toSegments(segmentLayout('24h', at(3)), [], at(3));
    expect(segs.at(-1)).toMatchObject({ noDataPercent: 100, onlinePercent: 0, incidents: 0 });
  });

  it('window percents: up and connected over elapsed; null when never connected', () => {
    expect(windowPercents(totals([hour(at(0), { upMs: 0.5 * H }), hour(at(1), { connectedMs: 0, upMs: 0 })]))).toEqual({ uptimePercent: 25, connectedPercent: 50 });
    expect(windowPercents(totals([hour(at(0), { connectedMs: 0, upMs: 0 })]))).toEqual({ uptimePercent: null, connectedPercent: null });
    expect(windowPercents(totals([]))).toEqual({ uptimePercent: null, connectedPercent: null });
  });

  it('window totals add roll-up sums and the live tail', () => {
    const rolled = { elapsedMs: 10 * H, connectedMs: 8 * H, upMs: 7 * H };
    expect(addTotals(rolled, totals([hour(at(0), { upMs: 0 })]))).toEqual({ elapsedMs: 11 * H, connectedMs: 9 * H, upMs: 7 * H });
    expect(addTotals()).toEqual({ elapsedMs: 0, connectedMs: 0, upMs: 0 });
  });

  it('percent of an empty whole is null', () => {
    expect(percent(0, 0)).toBeNull();
    expect(percent(1, 3)).toBe(33.333);
  });
});

describe('overallHealth', () => {
  it.each([
    [[], 'unknown'],
    [['healthy', 'healthy'], 'healthy'],
    [['healthy', 'progressing'], 'progressing'],
    [['healthy', 'degraded', 'progressing'], 'degraded'],
    [['failed', 'degraded'], 'failed'],
    [['stopped', 'healthy'], 'stopped'],
  ] as const)('%j → %s', (healths, expected) => {
    expect(overallHealth(healths.map((health) => ({ health })))).toBe(expected);
  });
});

describe('runningVersionOf', () => {
  it('shows one component’s version, or name@version pairs', () => {
    expect(runningVersionOf([])).toBeNull();
    expect(runningVersionOf([{ name: 'web', version: '2.0.0' }])).toBe('2.0.0');
    expect(runningVersionOf([{ name: 'db', version: '1' }, { name: 'web', version: '2' }])).toBe('db@1, web@2');
  });
});

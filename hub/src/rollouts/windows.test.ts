import { describe, expect, it } from 'vitest';
import { checkWindow, windowState } from './windows.js';

const at = (iso: string) => Date.parse(iso);

describe('maintenance windows', () => {
  const sat = { days: ['sat' as const], start: '02:00', end: '06:00', timeZone: 'Europe/Berlin' };

  it('no windows means always open', () => {
    expect(windowState([], at('2026-11-25T12:00:00Z'))).toEqual({ inWindow: true, nextWindowAt: null });
  });

  it('Sat 02:00–06:00 Europe/Berlin, in winter time (UTC+1)', () => {
    expect(windowState([sat], at('2026-11-28T01:30:00Z')).inWindow).toBe(true); // 02:30 Berlin
    expect(windowState([sat], at('2026-11-28T05:00:00Z')).inWindow).toBe(false); // 06:00 Berlin: closed
    const wed = windowState([sat], at('2026-11-25T12:00:00Z'));
    expect(wed).toEqual({ inWindow: false, nextWindowAt: at('2026-11-28T01:00:00Z') });
  });

  it('an overnight window runs past midnight', () => {
    const night = { days: ['fri' as const], start: '22:00', end: '02:00', timeZone: 'UTC' };
    expect(windowState([night], at('2026-11-27T23:00:00Z')).inWindow).toBe(true);
    expect(windowState([night], at('2026-11-28T01:59:00Z')).inWindow).toBe(true);
    expect(windowState([night], at('2026-11-28T02:00:00Z')).inWindow).toBe(false);
  });

  it('a cron start plus duration, in a time zone', () => {
    const nightly = { cron: '0 3 * * *', durationMinutes: 120, timeZone: 'America/New_York' };
    expect(windowState([nightly], at('2026-11-25T08:30:00Z')).inWindow).toBe(true); // 03:30 New York
    expect(windowState([nightly], at('2026-11-25T10:30:00Z'))).toEqual({ inWindow: false, nextWindowAt: at('2026-11-26T08:00:00Z') });
  });

  it('rejects unknown time zones and bad cron expressions', () => {
    expect(() => checkWindow({ ...sat, timeZone: 'Mars/Olympus' })).toThrow();
    expect(() => checkWindow({ cron: 'every night', durationMinutes: 10, timeZone: 'UTC' })).toThrow();
  });
});

import { describe, expect, it } from 'vitest';
import { Backoff, backoffCeiling, backoffDelay, restartDelay } from './backoff.js';

describe('backoff', () => {
  it('doubles the window from 1 s up to the 60 s cap', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 20, 5000].map((n) => backoffCeiling(n))).toEqual([
      1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000, 60_000,
    ]);
  });

  it('stays within [0, ceiling) for any random value (full jitter)', () => {
    for (let attempt = 0; attempt < 12; attempt++) {
      expect(backoffDelay(attempt, { random: () => 0 })).toBe(0);
      expect(backoffDelay(attempt, { random: () => 0.999999 })).toBeLessThan(backoffCeiling(attempt));
      expect(backoffDelay(attempt, { random: () => 0.5 })).toBe(Math.floor(backoffCeiling(attempt) / 2));
    }
  });

  it('spreads delays across the whole window', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    const delays = Array.from({ length: 2000 }, () => backoffDelay(10, { random }));
    expect(Math.min(...delays)).toBeLessThan(3000);
    expect(Math.max(...delays)).toBeGreaterThan(57_000);
    const mean = delays.reduce((a, b) => a + b, 0) / delays.length;
    expect(mean).toBeGreaterThan(27_000);
    expect(mean).toBeLessThan(33_000);
  });

  it('honours custom base and cap, and clamps bad random values', () => {
    expect(backoffCeiling(3, { baseMs: 10, maxMs: 50 })).toBe(50);
    expect(backoffDelay(0, { baseMs: 10, random: () => 7 })).toBe(10);
    expect(backoffDelay(0, { random: () => -1 })).toBe(0);
  });

  it('counts attempts and resets', () => {
    const b = new Backoff({ random: () => 0.5 });
    expect([b.next(), b.next(), b.next()]).toEqual([500, 1000, 2000]);
    expect(b.attempts).toBe(3);
    b.reset();
    expect(b.next()).toBe(500);
  });

  it('spreads reconnects after a restart notice over the hub\'s window, never below the base delay', () => {
    expect(restartDelay(10_000, { random: () => 0.5 })).toBe(5000);
    expect(restartDelay(10_000, { random: () => 0.999999 })).toBeLessThan(10_000);
    expect(restartDelay(0, { random: () => 0.5 })).toBe(500); // window 0: still spread over the base (1 s)
    expect(restartDelay(0, { baseMs: 50, random: () => 0.5 })).toBe(25);
    const delays = Array.from({ length: 2000 }, () => restartDelay(20_000));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...delays)).toBeLessThan(20_000);
    expect(delays.filter((d) => d < 10_000).length).toBeGreaterThan(800); // uniform, not bunched
  });
});

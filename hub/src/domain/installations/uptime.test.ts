import { describe, expect, it } from 'vitest';
import { computeUptime, percent } from './uptime.js';
import { overallHealth, runningVersionOf } from './health.js';

const H = 3600_000;

describe('computeUptime', () => {
  it('is 100 % when connected and healthy the whole window', () => {
    const r = computeUptime(0, 24 * H, [{ start: -H, end: null }], 'healthy', []);
    expect(r).toEqual({ elapsedMs: 24 * H, connectedMs: 24 * H, upMs: 24 * H });
  });

  it('counts only connected ∧ healthy time', () => {
    // connected 0–10 h and 12–24 h; unhealthy 5–6 h
    const r = computeUptime(0, 24 * H, [{ start: 0, end: 10 * H }, { start: 12 * H, end: null }], 'healthy', [
      { at: 5 * H, health: 'failed' },
      { at: 6 * H, health: 'healthy' },
    ]);
    expect(r.connectedMs).toBe(22 * H);
    expect(r.upMs).toBe(21 * H);
    expect(percent(r.upMs, r.elapsedMs)).toBe(87.5);
  });

  it('merges overlapping sessions instead of double counting', () => {
    const r = computeUptime(0, 10 * H, [{ start: 0, end: 6 * H }, { start: 5 * H, end: 8 * H }], 'healthy', []);
    expect(r.connectedMs).toBe(8 * H);
  });

  it('starts from the health before the window and ignores changes after it', () => {
    const r = computeUptime(10 * H, 20 * H, [{ start: 0, end: null }], 'failed', [{ at: 15 * H, health: 'healthy' }, { at: 25 * H, health: 'failed' }]);
    expect(r.upMs).toBe(5 * H);
  });

  it('clips sessions and changes that begin before the window', () => {
    const r = computeUptime(10 * H, 20 * H, [{ start: 0, end: 12 * H }], 'unknown', [{ at: 2 * H, health: 'healthy' }]);
    expect(r).toEqual({ elapsedMs: 10 * H, connectedMs: 2 * H, upMs: 2 * H });
  });

  it('percent of an empty window is null', () => {
    expect(percent(0, 0)).toBeNull();
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

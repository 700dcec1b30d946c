import { describe, expect, it } from 'vitest';
import { formatAgeDays, formatDate, formatRelativeTime, formatUptime, formatVersion, healthTone } from './format';

describe('formatUptime', () => {
  it('shows a percentage with one decimal', () => {
    expect(formatUptime(99.94)).toBe('99.9%');
    expect(formatUptime(12.345)).toBe('12.3%');
    expect(formatUptime(100)).toBe('100.0%');
    expect(formatUptime(0)).toBe('0.0%');
  });

  it('shows a dash when there is no value', () => {
    expect(formatUptime(null)).toBe('—');
    expect(formatUptime(undefined)).toBe('—');
    expect(formatUptime(Number.NaN)).toBe('—');
  });

  it('clamps to 0..100', () => {
    expect(formatUptime(100.4)).toBe('100.0%');
    expect(formatUptime(-1)).toBe('0.0%');
  });
});

describe('formatVersion', () => {
  it('shows a dash for a missing version', () => {
    expect(formatVersion(null)).toBe('—');
    expect(formatVersion('')).toBe('—');
    expect(formatVersion('1.2.3')).toBe('1.2.3');
  });
});

describe('formatRelativeTime', () => {
  const now = Date.parse('2025-01-10T12:00:00Z');
  it.each([
    [null, 'never'],
    ['garbage', '—'],
    ['2025-01-10T11:59:58Z', 'just now'],
    ['2025-01-10T11:59:18Z', '42 s ago'],
    ['2025-01-10T11:55:00Z', '5 min ago'],
    ['2025-01-10T09:00:00Z', '3 h ago'],
    ['2025-01-08T12:00:00Z', '2 d ago'],
    ['2024-12-01T08:00:00Z', '2024-12-01'],
    ['2025-01-10T12:00:30Z', 'just now'],
  ])('%s → %s', (iso, expected) => {
    expect(formatRelativeTime(iso, now)).toBe(expected);
  });
});

describe('healthTone', () => {
  it('colours every health', () => {
    expect(healthTone('healthy')).toBe('success');
    expect(healthTone('progressing')).toBe('info');
    expect(healthTone('degraded')).toBe('warning');
    expect(healthTone('failed')).toBe('danger');
    expect(healthTone('stopped')).toBe('neutral');
    expect(healthTone('unknown')).toBe('neutral');
  });
});

describe('formatDate', () => {
  it('shows the UTC day, or the fallback when there is no date', () => {
    expect(formatDate('2025-01-01T23:59:59.000Z')).toBe('2025-01-01');
    expect(formatDate(null, 'never')).toBe('never');
    expect(formatDate(undefined)).toBe('—');
    expect(formatDate('nope')).toBe('—');
  });
});

describe('formatAgeDays', () => {
  it('rounds down to whole days', () => {
    expect(formatAgeDays(0.4)).toBe('today');
    expect(formatAgeDays(1.9)).toBe('1 day');
    expect(formatAgeDays(12.6)).toBe('12 days');
  });
  it('shows a dash when unknown', () => {
    expect(formatAgeDays(null)).toBe('—');
    expect(formatAgeDays(undefined)).toBe('—');
    expect(formatAgeDays(Number.NaN)).toBe('—');
    expect(formatAgeDays(-1)).toBe('—');
  });
});

import { describe, expect, it } from 'vitest';
import type { UptimeSegment } from '@flotilla/protocol';
import { incidentsText, segmentPeriod, segmentState, segmentTooltip, uptimeHeadline } from './uptime';

const seg = (patch: Partial<UptimeSegment>): UptimeSegment => ({
  start: '2026-12-04T14:00:00.000Z',
  end: '2026-12-04T15:00:00.000Z',
  onlinePercent: 100,
  degradedPercent: 0,
  offlinePercent: 0,
  noDataPercent: 0,
  incidents: 0,
  ...patch,
});

describe('segmentState', () => {
  it('is online when up all the known time, ignoring unnoticeable blips', () => {
    expect(segmentState(seg({}))).toBe('online');
    expect(segmentState(seg({ onlinePercent: 99.95, offlinePercent: 0.05 }))).toBe('online');
    expect(segmentState(seg({ onlinePercent: 40, noDataPercent: 60 }))).toBe('online');
  });
  it('is the worse of offline and degraded when noticeable', () => {
    expect(segmentState(seg({ onlinePercent: 90, offlinePercent: 10 }))).toBe('offline');
    expect(segmentState(seg({ onlinePercent: 90, degradedPercent: 8, offlinePercent: 2 }))).toBe('degraded');
    expect(segmentState(seg({ onlinePercent: 0, degradedPercent: 5, offlinePercent: 5 }))).toBe('offline');
    // Shares of the known time: 1 % offline of the 2 % known is half of it.
    expect(segmentState(seg({ onlinePercent: 1, offlinePercent: 1, noDataPercent: 98 }))).toBe('offline');
  });
  it('is no data when nothing of it is known', () => {
    expect(segmentState(seg({ onlinePercent: 0, noDataPercent: 100 }))).toBe('no-data');
  });
});

describe('segment wording', () => {
  it('names the hour or the day, in UTC', () => {
    expect(segmentPeriod(seg({}), 'hour')).toBe('2026-12-04 14:00–15:00 UTC');
    expect(segmentPeriod(seg({ start: '2026-12-04T00:00:00.000Z', end: '2026-12-05T00:00:00.000Z' }), 'day')).toBe('2026-12-04 UTC');
  });
  it('gives the percentages and the incidents', () => {
    expect(segmentTooltip(seg({ onlinePercent: 95, offlinePercent: 5, incidents: 1 }), 'hour')).toBe(
      '2026-12-04 14:00–15:00 UTC: online 95.0%, degraded 0.0%, offline 5.0%, 1 incident',
    );
    expect(segmentTooltip(seg({ onlinePercent: 30, noDataPercent: 70 }), 'hour')).toBe('2026-12-04 14:00–15:00 UTC: online 30.0%, degraded 0.0%, offline 0.0%, no data 70.0%, no incidents');
    expect(incidentsText(3)).toBe('3 incidents');
  });
  it('headlines the overall uptime', () => {
    expect(uptimeHeadline({ uptimePercent: 99.94, window: '7d' })).toBe('99.9% uptime over 7 d');
    expect(uptimeHeadline({ uptimePercent: null, window: '24h' })).toBe('no data yet over 24 h');
  });
});

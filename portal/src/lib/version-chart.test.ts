import { describe, expect, it } from 'vitest';
import { versionBars } from './version-chart';

describe('versionBars', () => {
  it('makes one bar per track, releases newest first (naturally), no release last, with shares and a text equivalent', () => {
    const bars = versionBars([
      { trackId: 't1', trackName: 'Stable', version: '1.9.0', count: 300 },
      { trackId: 't1', trackName: 'Stable', version: '1.10.0', count: 600 },
      { trackId: 't1', trackName: 'Stable', version: null, count: 100 },
      { trackId: null, trackName: null, version: null, count: 5 },
      { trackId: 't0', trackName: 'Beta', version: '2.0.0', count: 3 },
      { trackId: 't0', trackName: 'Beta', version: '1.0.0', count: 0 },
    ]);
    expect(bars.map((b) => [b.key, b.trackName, b.total])).toEqual([
      ['t0', 'Beta', 3],
      ['t1', 'Stable', 1000],
      ['none', 'No track', 5],
    ]);
    const stable = bars[1];
    expect(stable?.segments.map((s) => [s.label, s.count, s.percent, s.tone])).toEqual([
      ['1.10.0', 600, 60, 0],
      ['1.9.0', 300, 30, 1],
      ['no release', 100, 10, 'none'],
    ]);
    expect(stable?.text).toBe('Stable: 1.10.0 on 600 (60 %), 1.9.0 on 300 (30 %), no release on 100 (10 %)');
    expect(bars[0]?.segments).toHaveLength(1); // a release nobody runs is left out
  });

  it('gives the older releases beyond the palette its last colour, and sums repeated groups', () => {
    const bars = versionBars(Array.from({ length: 8 }, (_, i) => ({ trackId: 't', trackName: 'T', version: `1.${i}.0`, count: 1 })).concat([{ trackId: 't', trackName: 'T', version: '1.0.0', count: 1 }]));
    expect(bars[0]?.segments.map((s) => s.tone)).toEqual([0, 1, 2, 3, 4, 5, 5, 5]);
    expect(bars[0]?.segments.at(-1)).toMatchObject({ version: '1.0.0', count: 2 });
    expect(versionBars([])).toEqual([]);
  });
});

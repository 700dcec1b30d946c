import { describe, expect, it } from 'vitest';
import { windowRange } from './windowing';

describe('windowRange', () => {
  it('renders the rows in view plus the overscan, with the rest as padding', () => {
    expect(windowRange(10_000, 40, 0, 400, 5)).toEqual({ start: 0, end: 16, padTop: 0, padBottom: (10_000 - 16) * 40 });
    expect(windowRange(10_000, 40, 4000, 400, 5)).toEqual({ start: 95, end: 116, padTop: 95 * 40, padBottom: (10_000 - 116) * 40 });
  });

  it('reaches the last row at the bottom, and keeps the total height whatever the scroll', () => {
    const r = windowRange(10_000, 40, 10_000 * 40 - 400, 400, 5);
    expect(r.end).toBe(10_000);
    expect(r.padBottom).toBe(0);
    for (const top of [0, 1234, 399_600, 1e9]) {
      const w = windowRange(10_000, 40, top, 400, 5);
      expect(w.padTop + (w.end - w.start) * 40 + w.padBottom).toBe(400_000);
      expect(w.end - w.start).toBeLessThanOrEqual(22);
    }
  });

  it('renders everything of a short list, and nothing of an empty one', () => {
    expect(windowRange(3, 40, 0, 400, 5)).toEqual({ start: 0, end: 3, padTop: 0, padBottom: 0 });
    expect(windowRange(0, 40, 0, 400, 5)).toEqual({ start: 0, end: 0, padTop: 0, padBottom: 0 });
    expect(windowRange(-1, 40, 0, 400, 5)).toEqual({ start: 0, end: 0, padTop: 0, padBottom: 0 });
  });
});

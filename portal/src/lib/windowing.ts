/**
 * Which rows of a long list of equal-height rows to render (pure): the ones in the viewport plus
 * `overscan` on each side, and the heights of the space above and below them so the scrollbar
 * stays true to the whole list.
 */
export interface WindowRange {
  /** First row rendered (inclusive). */
  start: number;
  /** Row after the last one rendered (exclusive). */
  end: number;
  padTop: number;
  padBottom: number;
}

export function windowRange(count: number, rowHeight: number, scrollTop: number, viewportHeight: number, overscan: number): WindowRange {
  if (count <= 0 || rowHeight <= 0) return { start: 0, end: Math.max(0, count), padTop: 0, padBottom: 0 };
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const visible = Math.ceil(Math.max(0, viewportHeight) / rowHeight) + 1;
  const start = Math.max(0, Math.min(first - overscan, count - 1));
  const end = Math.min(count, first + visible + overscan);
  return { start, end: Math.max(start, end), padTop: start * rowHeight, padBottom: (count - Math.max(start, end)) * rowHeight };
}

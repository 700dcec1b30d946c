import type { LiveLogLines } from '@flotilla/protocol';

/** Lines a live log pane keeps (older ones scroll out). */
export const MAX_TAIL_LINES = 2000;
/** Matches a search over collected logs shows at most. */
export const MAX_SEARCH_MATCHES = 500;

/** The marker shown where the agent's rate cap left lines out. */
export function droppedMarker(count: number): string {
  return `… ${count} line${count === 1 ? '' : 's'} dropped (rate limit)`;
}

/** Appends one live chunk to the pane's lines, the dropped-lines marker first, keeping the last `max`. */
export function appendChunk(lines: readonly string[], chunk: Pick<LiveLogLines, 'lines' | 'dropped'>, max = MAX_TAIL_LINES): string[] {
  const added = chunk.dropped ? [droppedMarker(chunk.dropped), ...chunk.lines] : chunk.lines;
  const next = lines.concat(added);
  return next.length > max ? next.slice(next.length - max) : next;
}

export interface SearchResult {
  lines: string[];
  /** Lines that matched, including those past the limit. */
  matches: number;
  truncated: boolean;
}

/** Case-insensitive substring search over collected log lines (an empty query matches every line). */
export function searchLines(lines: readonly string[], query: string, limit = MAX_SEARCH_MATCHES): SearchResult {
  const needle = query.trim().toLowerCase();
  const matched = needle === '' ? lines : lines.filter((l) => l.toLowerCase().includes(needle));
  return { lines: matched.slice(0, limit), matches: matched.length, truncated: matched.length > limit };
}

import { describe, expect, it } from 'vitest';
import { appendChunk, droppedMarker, searchLines } from './log-tail';

describe('appendChunk', () => {
  it('adds the lines, with a marker where lines were dropped', () => {
    expect(appendChunk(['a'], { lines: ['b', 'c'] })).toEqual(['a', 'b', 'c']);
    expect(appendChunk(['a'], { lines: ['d'], dropped: 3 })).toEqual(['a', '… 3 lines dropped (rate limit)', 'd']);
    expect(droppedMarker(1)).toBe('… 1 line dropped (rate limit)');
  });

  it('keeps only the newest `max` lines', () => {
    expect(appendChunk(['1', '2', '3'], { lines: ['4', '5'] }, 4)).toEqual(['2', '3', '4', '5']);
  });
});

describe('searchLines', () => {
  const lines = ['GET /health 200', 'ERROR db timeout', 'error: retry', 'GET /api 500'];

  it('matches case-insensitively, and everything for an empty query', () => {
    expect(searchLines(lines, 'error')).toEqual({ lines: ['ERROR db timeout', 'error: retry'], matches: 2, truncated: false });
    expect(searchLines(lines, '  ').lines).toEqual(lines);
  });

  it('shows at most `limit` matches and says so', () => {
    expect(searchLines(lines, 'get', 1)).toEqual({ lines: ['GET /health 200'], matches: 2, truncated: true });
  });
});

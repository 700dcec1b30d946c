import { afterEach, describe, expect, it, vi } from 'vitest';
import { fetchAllPages, installationsApi } from './installations';
import { installation, json, stubFetch } from '../testing/fixtures';

afterEach(() => vi.unstubAllGlobals());

describe('fetchAllPages', () => {
  it('follows nextCursor until it is null', async () => {
    const seen: (string | undefined)[] = [];
    const pages: Record<string, { items: number[]; nextCursor: string | null }> = {
      first: { items: [1, 2], nextCursor: 'p2' },
      p2: { items: [3], nextCursor: 'p3' },
      p3: { items: [], nextCursor: null },
    };
    const all = await fetchAllPages(async (cursor) => {
      seen.push(cursor);
      const page = pages[cursor ?? 'first'];
      if (!page) throw new Error(`unexpected cursor ${String(cursor)}`);
      return page;
    });
    expect(all).toEqual([1, 2, 3]);
    expect(seen).toEqual([undefined, 'p2', 'p3']);
  });

  it('stops when the hub repeats a cursor', async () => {
    let calls = 0;
    const all = await fetchAllPages(async () => {
      calls++;
      return { items: [calls], nextCursor: 'same' };
    });
    expect(all).toEqual([1, 2]);
  });
});

describe('installationsApi.all', () => {
  it('reads every page of GET /installations with ?cursor=', async () => {
    const calls = stubFetch(({ url }) =>
      url.includes('cursor=')
        ? json(200, { items: [installation('b')], nextCursor: null })
        : json(200, { items: [installation('a')], nextCursor: 'next/1' }),
    );
    const all = await installationsApi.all();
    expect(all.map((i) => i.id)).toEqual(['a', 'b']);
    expect(calls.map((c) => c.url)).toEqual(['/api/v1/installations?limit=200', '/api/v1/installations?limit=200&cursor=next%2F1']);
  });
});

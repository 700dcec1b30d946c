import { afterEach, describe, expect, it, vi } from 'vitest';
import { installationsApi } from './installations';
import { installation, json, stubFetch } from '../testing/fixtures';

afterEach(() => vi.unstubAllGlobals());

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

  it('stops when the hub repeats a cursor', async () => {
    let calls = 0;
    stubFetch(() => json(200, { items: [installation(String(++calls))], nextCursor: 'same' }));
    expect((await installationsApi.all()).map((i) => i.id)).toEqual(['1', '2']);
  });
});

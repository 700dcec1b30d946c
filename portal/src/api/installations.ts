import type { Installation } from '@flotilla/protocol';
import { query, request } from './client';

export interface PageOf<T> {
  items: T[];
  nextCursor: string | null;
}

/** Upper bound on pages followed, so a hub bug (a cursor that never ends) cannot hang the page. */
const MAX_PAGES = 1000;

/** Follows `nextCursor` until it is null and returns every item. */
export async function fetchAllPages<T>(fetchPage: (cursor: string | undefined) => Promise<PageOf<T>>): Promise<T[]> {
  const all: T[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const res = await fetchPage(cursor);
    all.push(...res.items);
    if (res.nextCursor === null || res.nextCursor === cursor) return all;
    cursor = res.nextCursor;
  }
  return all;
}

export const PAGE_LIMIT = 200;

export const installationsApi = {
  page: (cursor?: string) => request<PageOf<Installation>>('GET', `/installations${query({ limit: PAGE_LIMIT, cursor })}`),
  all: () => fetchAllPages<Installation>((cursor) => installationsApi.page(cursor)),
};

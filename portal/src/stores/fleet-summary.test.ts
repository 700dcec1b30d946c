import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { SUMMARY_REFETCH_MS, changesVersions, useFleetSummaryStore } from './fleet-summary';
import { installation, json, stubFetch } from '../testing/fixtures';

const summary = (total: number) => ({ total, online: 0, byHealth: {}, byVersion: [], installations: [] });

beforeEach(() => {
  setActivePinia(createPinia());
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('useFleetSummaryStore', () => {
  it('refetches at once on the first version change, then at most once per interval', async () => {
    let n = 0;
    const calls = stubFetch(() => json(200, summary(++n)));
    const store = useFleetSummaryStore();
    await store.load();
    expect(store.summary?.total).toBe(1);
    await vi.advanceTimersByTimeAsync(SUMMARY_REFETCH_MS);
    store.stale();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toHaveLength(2);
    for (let i = 0; i < 50; i++) store.stale(); // a burst within the interval: one trailing refetch
    expect(calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(SUMMARY_REFETCH_MS);
    expect(calls).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(SUMMARY_REFETCH_MS * 3);
    expect(calls).toHaveLength(3);
    expect(store.summary?.total).toBe(3);
  });

  it('counts running and desired versions, track and added or removed rows as version changes, not health', () => {
    const a = installation('a', { status: { runningVersion: '1.0.0' } });
    expect(changesVersions({ before: a, after: { ...a, status: { ...a.status, health: 'failed' } } })).toBe(false);
    expect(changesVersions({ before: a, after: { ...a, status: { ...a.status, runningVersion: '1.1.0' } } })).toBe(true);
    expect(changesVersions({ before: a, after: { ...a, status: { ...a.status, desiredVersion: '1.1.0' } } })).toBe(true);
    expect(changesVersions({ before: a, after: { ...a, trackId: 't' } })).toBe(true);
    expect(changesVersions({ before: undefined, after: a })).toBe(true);
  });
});

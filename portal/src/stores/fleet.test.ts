import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { computed, isReactive } from 'vue';
import type { Installation } from '@flotilla/protocol';
import { UPTIME_FULL_REFRESH_INTERVAL_MS, UPTIME_REFRESH_DELAY_MS, UPTIME_REFRESH_MAX_ROWS, useFleetStore } from './fleet';
import { T0, T1, T2, installation, json, presence, settle, status, stubFetch } from '../testing/fixtures';

/** A fake hub list endpoint whose content the test changes between fetches. */
function hubList(initial: Installation[]) {
  const state = { items: initial, release: Promise.resolve() };
  const calls = stubFetch(async () => {
    await state.release;
    return json(200, { items: state.items, nextCursor: null });
  });
  return { state, calls };
}

beforeEach(() => setActivePinia(createPinia()));
afterEach(() => vi.unstubAllGlobals());

describe('useFleetStore', () => {
  it('loads every installation, sorted', async () => {
    hubList([installation('b', { customerName: 'Zeta' }), installation('a', { customerName: 'Acme' })]);
    const fleet = useFleetStore();
    await fleet.load();
    expect(fleet.loaded).toBe(true);
    expect(fleet.items.map((i) => i.id)).toEqual(['a', 'b']);
  });

  it('refreshes a list older than the given age (the 24 h uptime is not patched live), not a newer one', async () => {
    const { state, calls } = hubList([installation('a', { uptime24h: 10 })]);
    const fleet = useFleetStore();
    const now = vi.spyOn(Date, 'now').mockReturnValue(1_000_000);
    await fleet.refreshIfOlderThan(30_000); // never loaded: loads
    expect(calls).toHaveLength(1);
    state.items = [installation('a', { uptime24h: 55 })];
    now.mockReturnValue(1_000_000 + 30_000);
    await fleet.refreshIfOlderThan(30_000);
    expect(calls).toHaveLength(1);
    expect(fleet.byId('a')?.uptime24h).toBe(10);
    now.mockReturnValue(1_000_000 + 30_001);
    await fleet.refreshIfOlderThan(30_000);
    expect(calls).toHaveLength(2);
    expect(fleet.byId('a')?.uptime24h).toBe(55);
    now.mockRestore();
  });

  it("re-reads a row's 24 h uptime shortly after its health or presence changes, one GET per row, batched", async () => {
    vi.useFakeTimers();
    const rows = new Map([
      ['a', installation('a', { uptime24h: 0 })],
      ['b', installation('b', { uptime24h: 50 })],
    ]);
    const calls = stubFetch(async (call) => {
      const one = /\/installations\/(\w+)$/.exec(call.url);
      return one ? json(200, rows.get(one[1]!)) : json(200, { items: [...rows.values()], nextCursor: null });
    });
    const fleet = useFleetStore();
    await fleet.load();
    const changed: (number | null | undefined)[] = [];
    fleet.onChange((changes) => changed.push(...changes.map((c) => c.after?.uptime24h)));

    rows.set('a', installation('a', { uptime24h: 12.5 }));
    fleet.applyStatus(status('a', { health: 'healthy', updatedAt: T1 }));
    fleet.applyStatus(status('a', { health: 'healthy', runningVersion: '2.0.0', updatedAt: T2 })); // same health: no second read
    await vi.advanceTimersByTimeAsync(UPTIME_REFRESH_DELAY_MS - 1);
    expect(calls.map((c) => c.url)).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await vi.runAllTimersAsync();
    expect(calls.slice(1).map((c) => c.url)).toEqual([expect.stringMatching(/\/installations\/a$/)]);
    expect(fleet.byId('a')).toMatchObject({ uptime24h: 12.5, status: { health: 'healthy', runningVersion: '2.0.0' } });
    expect(fleet.byId('b')?.uptime24h).toBe(50);
    expect(changed).toContain(12.5);
    vi.useRealTimers();
  });

  it('re-reads the whole list (at most once a minute) when an outage changes more rows than a batch of GETs should', async () => {
    vi.useFakeTimers();
    const ids = Array.from({ length: UPTIME_REFRESH_MAX_ROWS + 1 }, (_, i) => `r${i}`);
    const { state, calls } = hubList(ids.map((id) => installation(id, { uptime24h: 100 })));
    const fleet = useFleetStore();
    await fleet.load();
    state.items = ids.map((id) => installation(id, { uptime24h: 90 }));
    for (const id of ids) fleet.applyPresence(presence(id, true, T2));
    await vi.advanceTimersByTimeAsync(UPTIME_REFRESH_DELAY_MS);
    expect(calls).toHaveLength(1); // the list is younger than a minute: wait
    await vi.advanceTimersByTimeAsync(UPTIME_FULL_REFRESH_INTERVAL_MS);
    await vi.runAllTimersAsync();
    expect(calls).toHaveLength(2);
    expect(calls.every((c) => /\/installations\?/.test(c.url))).toBe(true);
    expect(fleet.byId('r0')?.uptime24h).toBe(90);
    vi.useRealTimers();
  });

  it('patches status and presence from live events without refetching', async () => {
    const { calls } = hubList([installation('a'), installation('b')]);
    const fleet = useFleetStore();
    await fleet.load();

    fleet.applyStatus(status('a', { health: 'healthy', online: true, runningVersion: '2.0.0', desiredVersion: '2.0.0', updatedAt: T1 }));
    fleet.applyPresence(presence('b', true, T2));
    await settle();

    expect(fleet.byId('a')?.status).toMatchObject({ health: 'healthy', runningVersion: '2.0.0', online: true });
    expect(fleet.byId('b')?.status).toMatchObject({ online: true, lastSeenAt: T2 });
    expect(fleet.onlineCount).toBe(2);
    expect(calls).toHaveLength(1);
  });

  it('tells views which rows a burst of live events changed, once per turn, with the raw rows', async () => {
    hubList([installation('a'), installation('b')]);
    const fleet = useFleetStore();
    await fleet.load();
    const batches: { id: string | undefined; before: string | undefined; after: string | undefined }[][] = [];
    const stop = fleet.onChange((changes) => batches.push(changes.map((c) => ({ id: c.after?.id, before: c.before?.status.health, after: c.after?.status.health }))));

    fleet.applyStatus(status('a', { health: 'healthy', updatedAt: T1 }));
    fleet.applyStatus(status('b', { health: 'failed', updatedAt: T1 }));
    fleet.applyStatus(status('b', { health: 'failed', updatedAt: T0 })); // older: no change, not reported
    expect(batches).toEqual([]);
    await Promise.resolve();
    expect(batches).toEqual([
      [
        { id: 'a', before: 'unknown', after: 'healthy' },
        { id: 'b', before: 'unknown', after: 'failed' },
      ],
    ]);
    expect(isReactive(fleet.byId('a'))).toBe(true); // readers of the store still get reactive rows
    stop();
    fleet.applyStatus(status('a', { health: 'degraded', updatedAt: T2 }));
    await settle();
    expect(batches).toHaveLength(1);
  });

  it('byId is reactive: a lookup made before the list arrives (a deep link, a reload) sees it once loaded', async () => {
    hubList([installation('a'), installation('b')]);
    const fleet = useFleetStore();
    const shown = computed(() => fleet.byId('b')?.name);
    expect(shown.value).toBeUndefined();
    await fleet.load();
    expect(shown.value).toBe('inst-b');
    fleet.applyStatus(status('b', { health: 'healthy', updatedAt: T1 }));
    const health = computed(() => fleet.byId('b')?.status.health);
    expect(health.value).toBe('healthy');
    fleet.applyStatus(status('b', { health: 'degraded', updatedAt: T2 }));
    expect(health.value).toBe('degraded');
    fleet.reset();
    expect(shown.value).toBeUndefined();
  });

  it('refetches once for an unknown installation, then applies its event', async () => {
    const { state, calls } = hubList([installation('a')]);
    const fleet = useFleetStore();
    await fleet.load();

    state.items = [installation('a'), installation('new')];
    fleet.applyStatus(status('new', { health: 'progressing', updatedAt: T1 }));
    fleet.applyStatus(status('new', { health: 'healthy', updatedAt: T2 }));
    await settle();

    expect(calls).toHaveLength(2);
    expect(fleet.byId('new')?.status.health).toBe('healthy');
  });

  it('does not refetch again for an installation the hub does not list', async () => {
    const { calls } = hubList([installation('a')]);
    const fleet = useFleetStore();
    await fleet.load();

    fleet.applyStatus(status('ghost'));
    await settle();
    fleet.applyPresence(presence('ghost', true, T1));
    fleet.applyStatus(status('ghost', { updatedAt: T2 }));
    await settle();

    expect(calls).toHaveLength(2);
    expect(fleet.byId('ghost')).toBeUndefined();
  });

  it('holds events that arrive while the list is loading and applies them after', async () => {
    let release: () => void = () => undefined;
    const { state, calls } = hubList([installation('a', { status: { updatedAt: T1 } })]);
    state.release = new Promise<void>((resolve) => (release = resolve));
    const fleet = useFleetStore();

    const loading = fleet.load();
    fleet.applyStatus(status('a', { health: 'failed', updatedAt: T2 }));
    fleet.applyPresence(presence('a', true, T2));
    release();
    await loading;
    await settle();

    expect(fleet.byId('a')?.status).toMatchObject({ health: 'failed', online: true });
    expect(calls).toHaveLength(1);
  });

  it('keeps the fetched status when a held event is older', async () => {
    let release: () => void = () => undefined;
    const { state } = hubList([installation('a', { status: { health: 'healthy', updatedAt: T2 } })]);
    state.release = new Promise<void>((resolve) => (release = resolve));
    const fleet = useFleetStore();

    const loading = fleet.load();
    fleet.applyStatus(status('a', { health: 'failed', updatedAt: T1 }));
    release();
    await loading;

    expect(fleet.byId('a')?.status.health).toBe('healthy');
  });

  it('inserts, replaces and removes rows from installation:changed / :removed without refetching', async () => {
    const { calls } = hubList([installation('a', { customerName: 'Acme', name: 'main' }), installation('b', { customerName: 'Zeta' })]);
    const fleet = useFleetStore();
    await fleet.load();

    fleet.applyInstallation(installation('new', { customerName: 'Mid', name: 'edge' }));
    expect(fleet.items.map((i) => i.id)).toEqual(['a', 'new', 'b']);
    expect(fleet.byId('new')?.name).toBe('edge');

    fleet.applyInstallation(installation('a', { customerName: 'Acme', name: 'main', trackId: 't-1', lifecycle: 'uninstalling' }));
    expect(fleet.byId('a')).toMatchObject({ trackId: 't-1', lifecycle: 'uninstalling' });
    expect(fleet.count).toBe(3);

    fleet.applyRemoved({ installationId: 'a' });
    expect(fleet.items.map((i) => i.id)).toEqual(['new', 'b']);
    expect(fleet.byId('a')).toBeUndefined();
    expect(fleet.byId('b')?.customerName).toBe('Zeta');
    await settle();
    expect(calls).toHaveLength(1);
  });

  it('keeps a newer status than the one an installation:changed carries', async () => {
    hubList([installation('a', { status: { health: 'healthy', updatedAt: T2 } })]);
    const fleet = useFleetStore();
    await fleet.load();
    fleet.applyInstallation(installation('a', { name: 'renamed', status: { health: 'failed', updatedAt: T1 } }));
    expect(fleet.byId('a')).toMatchObject({ name: 'renamed', status: { health: 'healthy' } });
  });

  it('keeps a later presence than the one an installation:changed read (new credentials dropping the old agent)', async () => {
    hubList([installation('a', { agentId: 'old', status: { online: true, lastSeenAt: T0, updatedAt: T0 } })]);
    const fleet = useFleetStore();
    await fleet.load();
    fleet.applyPresence({ ...presence('a', false, T2), agentId: 'old' });
    // Read by the hub before the old agent's session closed, sent after its presence arrived.
    fleet.applyInstallation(installation('a', { agentId: 'new', status: { online: true, lastSeenAt: T1, updatedAt: T1 } }));
    expect(fleet.byId('a')).toMatchObject({ agentId: 'new', status: { online: false, lastSeenAt: T2 } });
  });

  it('applies row changes that arrive while the list is loading after it', async () => {
    let release: () => void = () => undefined;
    const { state } = hubList([installation('a'), installation('b')]);
    state.release = new Promise<void>((resolve) => (release = resolve));
    const fleet = useFleetStore();

    const loading = fleet.load();
    fleet.applyRemoved({ installationId: 'b' });
    fleet.applyInstallation(installation('c'));
    release();
    await loading;

    expect(fleet.items.map((i) => i.id)).toEqual(['a', 'c']);
  });

  it('ignores events before anything was loaded', async () => {
    const { calls } = hubList([]);
    const fleet = useFleetStore();
    fleet.applyStatus(status('a'));
    fleet.applyInstallation(installation('a'));
    await settle();
    expect(calls).toHaveLength(0);
    expect(fleet.count).toBe(0);
  });

  it('records a load error and recovers on retry', async () => {
    let fail = true;
    stubFetch(() => (fail ? json(500, { error: { code: 'INTERNAL', message: 'internal error' } }) : json(200, { items: [installation('a')], nextCursor: null })));
    const fleet = useFleetStore();
    await fleet.load();
    expect(fleet.error).toBe('internal error');
    expect(fleet.loaded).toBe(false);
    fail = false;
    await fleet.load();
    expect(fleet.error).toBeNull();
    expect(fleet.count).toBe(1);
  });

  it('forgets everything on reset', async () => {
    hubList([installation('a')]);
    const fleet = useFleetStore();
    await fleet.load();
    fleet.reset();
    expect(fleet.loaded).toBe(false);
    expect(fleet.items).toEqual([]);
    expect(fleet.byId('a')).toBeUndefined();
  });
});

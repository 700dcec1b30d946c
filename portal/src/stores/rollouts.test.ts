import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import type { Rollout } from '@flotilla/protocol';
import { useRolloutsStore } from './rollouts';
import { useLiveSyncStore } from './live-sync';
import { json, settle, stubFetch } from '../testing/fixtures';
import { progress, rollout, target } from '../testing/rollout-fixtures';

beforeEach(() => setActivePinia(createPinia()));
afterEach(() => vi.unstubAllGlobals());

/** A fetch answered only when the test says so, to put events in the middle of a request. */
function gate() {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

describe('useRolloutsStore', () => {
  it('loads one rollout and patches it from progress events', async () => {
    const calls = stubFetch(() => json(200, rollout('r1', [target('a'), target('b', { wave: 1 })])));
    const store = useRolloutsStore();
    await store.loadOne('r1');
    expect(calls.map((c) => c.url)).toEqual(['/api/v1/rollouts/r1']);
    store.applyProgress(progress('r1', [target('a', { status: 'deploying', stage: 1 })]));
    expect(store.items.r1?.targets.map((t) => t.status)).toEqual(['deploying', 'pending']);
    expect(calls).toHaveLength(1);
  });

  it('holds events that arrive while a request is out and replays them over its answer', async () => {
    const g = gate();
    stubFetch(async () => {
      await g.opened;
      // the snapshot the hub read before the events below
      return json(200, rollout('r1', [target('a'), target('b', { wave: 1 })], { status: 'pending' }));
    });
    const store = useRolloutsStore();
    const loading = store.loadOne('r1');
    store.applyProgress(progress('r1', [target('a', { status: 'deploying', stage: 1 })]));
    store.applyProgress(progress('r1', [target('a', { status: 'succeeded', stage: 2 })], { waves: [{ index: 0, total: 1, finished: 1 }, { index: 1, total: 1, finished: 0 }] }));
    expect(store.items.r1).toBeUndefined();
    g.open();
    await loading;
    expect(store.items.r1?.status).toBe('running');
    expect(store.items.r1?.targets[0]).toMatchObject({ status: 'succeeded', stage: 2 });
    expect(store.items.r1?.waves[0]).toEqual({ index: 0, total: 1, finished: 1 });
  });

  it('the list: newest first; an event of a rollout it lacks fetches it once more (once per rollout)', async () => {
    let list: Rollout[] = [rollout('old', [target('a')], { createdAt: '2025-01-01T09:00:00.000Z' })];
    const calls = stubFetch(() => json(200, { items: list, nextCursor: null }));
    const store = useRolloutsStore();
    await store.loadList();
    expect(store.list.map((r) => r.id)).toEqual(['old']);
    list = [rollout('new', [target('b')], { createdAt: '2025-01-01T11:00:00.000Z' }), ...list];
    store.applyProgress(progress('new', [target('b', { status: 'deploying', stage: 1 })]));
    await settle();
    expect(store.list.map((r) => r.id)).toEqual(['new', 'old']);
    store.applyProgress(progress('ghost', []));
    store.applyProgress(progress('ghost', []));
    await settle();
    expect(calls.filter((c) => c.url === '/api/v1/rollouts')).toHaveLength(3);
  });

  it('create stores the rollout (first in a loaded list) and keeps events that raced the answer', async () => {
    const g = gate();
    const created = rollout('r9', [target('a')], { status: 'pending', createdAt: '2030-01-01T00:00:00.000Z' });
    const calls = stubFetch(async (call) => {
      if (call.method === 'GET') return json(200, { items: [rollout('r1', [])], nextCursor: null });
      await g.opened;
      return json(201, created);
    });
    const store = useRolloutsStore();
    await store.loadList();
    const body = { releaseId: 'rel', targets: { all: true } };
    const creating = store.create(body);
    store.applyProgress(progress('r9', [target('a', { status: 'deploying', stage: 1 })]));
    g.open();
    const out = await creating;
    expect(out.id).toBe('r9');
    expect(calls[1]).toMatchObject({ method: 'POST', url: '/api/v1/rollouts', body });
    expect(store.list.map((r) => r.id)).toEqual(['r9', 'r1']);
    expect(store.items.r9?.targets[0]?.status).toBe('deploying');
    expect(store.items.r9?.status).toBe('running');
  });

  it('create throws the hub refusal with its message', async () => {
    stubFetch(() => json(409, { error: { code: 'CONFLICT', message: '1 target(s) are already in a rollout that has not finished; abort it first' } }));
    const store = useRolloutsStore();
    await expect(store.create({ releaseId: 'rel', targets: { all: true } })).rejects.toMatchObject({ status: 409, message: expect.stringContaining('already in a rollout') });
  });

  it('pause / resume / abort post the action and store the answer', async () => {
    const calls = stubFetch((call) => json(200, rollout('r1', [target('a')], { status: call.url.endsWith('/pause') ? 'paused' : 'running' })));
    const store = useRolloutsStore();
    await store.control('r1', 'pause');
    expect(calls[0]).toMatchObject({ method: 'POST', url: '/api/v1/rollouts/r1/pause' });
    expect(store.items.r1?.status).toBe('paused');
  });

  it("a customer's approval answer (its own targets only) patches what is shown", async () => {
    const store = useRolloutsStore();
    stubFetch(() => json(200, rollout('r1', [target('a', { customerId: 'c1' }), target('b', { customerId: 'c2', status: 'waiting', waitingFor: 'approval' })])));
    await store.loadOne('r1');
    const calls = stubFetch(() => json(200, rollout('r1', [target('b', { customerId: 'c2', status: 'waiting', waitingFor: 'approval', approved: true })])));
    await store.approve('r1', 'b');
    expect(calls[0]).toMatchObject({ method: 'POST', url: '/api/v1/rollouts/r1/targets/b/approve', body: {} });
    expect(store.items.r1?.targets.map((t) => `${t.installationId}:${t.approved}`)).toEqual(['a:false', 'b:true']);
    await store.approve('r1', 'b', '2030-01-01T02:00:00.000Z');
    expect(calls[1]).toMatchObject({ body: { at: '2030-01-01T02:00:00.000Z' } });
  });

  it('fetches again what was fetched before the live connection was up, and everything after a reconnect', async () => {
    const calls = stubFetch((call) => (call.url === '/api/v1/rollouts' ? json(200, { items: [], nextCursor: null }) : json(200, rollout('r1', []))));
    const store = useRolloutsStore();
    const sync = useLiveSyncStore();
    await store.loadOne('r1');
    sync.connectionChanged('live');
    await settle();
    expect(calls.map((c) => c.url)).toEqual(['/api/v1/rollouts/r1', '/api/v1/rollouts/r1']);
    // Connected: later loads need no second fetch on a mere state change
    await store.loadList();
    sync.connectionChanged('reconnecting');
    sync.connectionChanged('live');
    await settle();
    expect(calls.map((c) => c.url)).toEqual(['/api/v1/rollouts/r1', '/api/v1/rollouts/r1', '/api/v1/rollouts', '/api/v1/rollouts', '/api/v1/rollouts/r1']);
  });

  it('keeps the error of a failed load and forgets everything on reset', async () => {
    stubFetch(() => json(404, { error: { code: 'NOT_FOUND', message: 'Rollout not found' } }));
    const store = useRolloutsStore();
    await store.loadOne('nope');
    expect(store.errors.nope).toBe('Rollout not found');
    store.reset();
    expect(store.errors).toEqual({});
    expect(store.items).toEqual({});
  });
});

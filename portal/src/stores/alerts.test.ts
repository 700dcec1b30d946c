import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import type { Alert } from '@flotilla/protocol';
import { useAlertsStore } from './alerts';
import { useLiveSyncStore } from './live-sync';
import { json, stubFetch } from '../testing/fixtures';

beforeEach(() => setActivePinia(createPinia()));
afterEach(() => vi.unstubAllGlobals());

function alert(id: string, state: Alert['state'] = 'firing'): Alert {
  return {
    id,
    ruleId: 'r1',
    ruleName: 'Offline',
    kind: 'offline',
    installationId: `i-${id}`,
    installationName: id,
    customerId: 'cu1',
    state,
    message: 'offline for 6 min',
    firedAt: '2026-01-01T10:00:00.000Z',
    resolvedAt: state === 'resolved' ? '2026-01-01T10:10:00.000Z' : null,
  };
}

describe('useAlertsStore', () => {
  it('applies a live batch in one pass: new firing alerts first, resolved ones gone, the rest kept', async () => {
    stubFetch(() => json(200, { items: [alert('a'), alert('b'), alert('c')], nextCursor: null }));
    useLiveSyncStore().connectionChanged('live');
    const store = useAlertsStore();
    await store.load();
    store.apply([alert('b', 'resolved'), alert('d'), alert('e'), alert('a', 'resolved')]);
    expect(store.firing.map((a) => a.id)).toEqual(['e', 'd', 'c']);
    // A batch naming the same alert twice keeps its newest state.
    store.apply([alert('f'), alert('f', 'resolved')]);
    expect(store.firing.map((a) => a.id)).toEqual(['e', 'd', 'c']);
  });

  it('takes an outage of 10 000 alerts in one batch', async () => {
    stubFetch(() => json(200, { items: [], nextCursor: null }));
    useLiveSyncStore().connectionChanged('live');
    const store = useAlertsStore();
    await store.load();
    store.apply(Array.from({ length: 10_000 }, (_, i) => alert(`x${i}`)));
    expect(store.firing).toHaveLength(10_000);
    store.apply(Array.from({ length: 10_000 }, (_, i) => alert(`x${i}`, 'resolved')));
    expect(store.firing).toEqual([]);
  });
});

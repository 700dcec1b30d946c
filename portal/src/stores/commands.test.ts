import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import type { InstallationCommand } from '@flotilla/protocol';
import { useCommandsStore } from './commands';
import { useLiveSyncStore } from './live-sync';
import { json, settle, stubFetch } from '../testing/fixtures';

beforeEach(() => setActivePinia(createPinia()));
afterEach(() => vi.unstubAllGlobals());

function command(id: string, patch: Partial<InstallationCommand> = {}): InstallationCommand {
  return {
    id,
    installationId: 'i1',
    customerId: 'cu1',
    type: 'restart',
    status: 'pending',
    message: null,
    targets: null,
    image: null,
    agentVersion: null,
    createdBy: null,
    createdAt: '2026-01-01T10:00:00.000Z',
    updatedAt: '2026-01-01T10:00:00.000Z',
    finishedAt: null,
    ...patch,
  };
}

describe('useCommandsStore', () => {
  it('fetches the commands of every opened installation again after a live reconnect', async () => {
    let items = [command('c1')];
    const calls = stubFetch(() => json(200, { items, nextCursor: null }));
    const sync = useLiveSyncStore();
    const store = useCommandsStore();
    sync.connectionChanged('live');
    await store.load('i1');
    expect(calls.map((c) => c.url)).toEqual(['/api/v1/installations/i1/commands?limit=50']);
    // While disconnected, c1 finished and c2 was sent: no event reached the page.
    sync.connectionChanged('reconnecting');
    items = [command('c2'), command('c1', { status: 'succeeded', updatedAt: '2026-01-01T10:01:00.000Z' })];
    sync.connectionChanged('live');
    await settle();
    expect(calls.map((c) => c.url)).toEqual(['/api/v1/installations/i1/commands?limit=50', '/api/v1/installations/i1/commands?limit=50']);
    expect(store.byInstallation.i1?.map((c) => `${c.id}:${c.status}`)).toEqual(['c2:pending', 'c1:succeeded']);
  });

  it('applies an event that arrives during the first load over its answer', async () => {
    let answer: (v: Response) => void = () => undefined;
    stubFetch(() => new Promise<Response>((r) => (answer = r)));
    const store = useCommandsStore();
    const loading = store.load('i1');
    store.apply(command('c1', { status: 'running', updatedAt: '2026-01-01T10:02:00.000Z' }));
    answer(json(200, { items: [command('c1')], nextCursor: null }));
    await loading;
    expect(store.byInstallation.i1?.map((c) => c.status)).toEqual(['running']);
  });
});

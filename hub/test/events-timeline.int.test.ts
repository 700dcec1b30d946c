import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentCredentials, InstallationCommand, InstallationEvent, InstallationEventsPage } from '@flotilla/protocol';
import { ApiClient, COMPOSE_V1 } from './api-client.js';
import { createTestDatabase, randomSuffix, startTestHub, waitFor, type TestDatabase, type TestHub } from './helpers.js';
import { connectAgent, host, nextCommand } from './sim-agent.js';

// An installation's timeline: deployed, connected, health changed, command created and finished,
// disconnected; newest first, paged with `before` = the previous page's `nextBefore`.

let tdb: TestDatabase;
let hub: TestHub;
let api: ApiClient;

beforeAll(async () => {
  tdb = await createTestDatabase();
  hub = await startTestHub({ databaseUrl: tdb.url });
  api = new ApiClient(hub.url);
  await api.signup(randomSuffix());
});

afterAll(async () => {
  await hub.close();
  await tdb.drop();
});

const page = async (id: string, query: string) => {
  const res = await api.get<InstallationEventsPage>(`/installations/${id}/events${query}`);
  expect(res.status).toBe(200);
  return res.body;
};

describe('the events timeline', () => {
  it('records deploys, connections, health and commands, and pages through them newest first', async () => {
    const customerId = (await api.post<{ id: string }>('/customers', { name: 'Acme' })).body.id;
    const app = (await api.post<{ id: string }>('/applications', { name: 'Web', kind: 'compose' })).body.id;
    const versionId = (await api.post<{ id: string }>(`/applications/${app}/versions`, { version: '1.0.0', compose: { file: COMPOSE_V1 } })).body.id;
    const id = (await api.post<{ id: string }>('/installations', { customerId, name: 'site', environment: 'production', agentKind: 'compose' })).body.id;
    expect((await api.post(`/installations/${id}/deploy`, { versionId })).status).toBe(202);
    const creds = (await api.post<AgentCredentials>(`/installations/${id}/agent-credentials`)).body;
    const component = (await hub.app.services.desiredStates.currentOf(id))?.components[0]?.name ?? '';
    const report = (health: 'healthy' | 'failed') => ({ name: component, version: '1.0.0', health, since: new Date().toISOString() });

    const socket = await connectAgent(hub.url, creds.agentId, creds.secret);
    await socket.emitWithAck('agent:hello', { host, appliedRevision: 1, components: [report('healthy')] });
    const pushed = nextCommand(socket);
    const restart = (await api.post<InstallationCommand>(`/installations/${id}/commands`, { type: 'restart' })).body;
    expect((await pushed).id).toBe(restart.id);
    await socket.emitWithAck('command:progress', { id: restart.id, status: 'running' });
    await socket.emitWithAck('command:progress', { id: restart.id, status: 'succeeded', message: 'restarted web' });
    await socket.emitWithAck('status:report', { revision: 1, components: [report('failed')] });
    socket.disconnect();

    const expected = ['deployed', 'connected', 'health', 'command', 'command', 'health', 'disconnected'];
    await waitFor(async () => ((await page(id, '?limit=100')).items.length === expected.length ? true : undefined), 10_000, 'every event');

    // Two at a time, following nextBefore to the end.
    const seen: InstallationEvent[] = [];
    let next: number | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const p: InstallationEventsPage = await page(id, `?limit=2${next === null ? '' : `&before=${next}`}`);
      seen.push(...p.items);
      next = p.nextBefore;
      if (next === null) break;
      expect(p.items).toHaveLength(2);
      expect(next).toBe(Number(p.items.at(-1)?.id));
    }
    expect(next).toBeNull();
    expect(seen.map((e) => e.type)).toEqual([...expected].reverse());
    const ids = seen.map((e) => Number(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => b - a));

    const [disconnected, failed, finished, created, healthy, connected, deployed] = seen;
    expect(deployed?.message).toBe('revision 1: 1.0.0');
    expect(connected?.message).toContain('0.1.0-test');
    expect(healthy).toMatchObject({ health: 'healthy' });
    expect(created?.message).toBe('restart created');
    expect(finished?.message).toBe('restart succeeded: restarted web');
    expect(failed).toMatchObject({ health: 'failed' });
    expect(disconnected?.type).toBe('disconnected');

    // An exact multiple of the page size ends with nextBefore null, not an empty page.
    expect((await page(id, `?limit=${expected.length}`)).nextBefore).toBeNull();
    expect((await api.get(`/installations/${id}/events?before=0`)).status).toBe(400);
  });
});

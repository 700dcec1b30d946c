import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_HTTP, type AgentCredentials, type AgentPollResponse, type InstallationStatus } from '@flotilla/protocol';
import { ApiClient, COMPOSE_V1 } from './api-client.js';
import { createTestDatabase, randomSuffix, startTestHub, waitFor, type TestDatabase, type TestHub } from './helpers.js';

let tdb: TestDatabase;
let hub: TestHub;
let api: ApiClient;
let installationId: string;
let versionId: string;
let creds: AgentCredentials;

beforeAll(async () => {
  tdb = await createTestDatabase();
  hub = await startTestHub({ databaseUrl: tdb.url });
  api = new ApiClient(hub.url);
  await api.signup(randomSuffix());
  const app = await api.post<{ id: string }>('/applications', { name: 'Shop Web', kind: 'compose' });
  versionId = (await api.post<{ id: string }>(`/applications/${app.body.id}/versions`, { version: '1.0.0', compose: { file: COMPOSE_V1 } })).body.id;
  const customer = await api.post<{ id: string }>('/customers', { name: 'Acme' });
  installationId = (await api.post<{ id: string }>('/installations', { customerId: customer.body.id, name: 'main', environment: 'production', agentKind: 'compose' })).body.id;
  creds = (await api.post<AgentCredentials>(`/installations/${installationId}/agent-credentials`)).body;
});

afterAll(async () => {
  await hub.close();
  await tdb.drop();
});

const basic = (agentId: string, secret: string) => `Basic ${Buffer.from(`${agentId}:${secret}`).toString('base64')}`;

function agentFetch(path: string, init: { method?: string; body?: unknown; auth?: string; headers?: Record<string, string> } = {}) {
  return fetch(`${hub.url}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      authorization: init.auth ?? basic(creds.agentId, creds.secret),
      [AGENT_HTTP.headers.agentVersion]: '0.1.0-poll',
      [AGENT_HTTP.headers.pollInterval]: '1',
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...init.headers,
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
}

const status = async () => (await api.get<InstallationStatus>(`/installations/${installationId}/status`)).body;

describe('HTTP polling fallback', () => {
  it('refuses missing, malformed and wrong credentials with 401, and a wrong agent kind', async () => {
    for (const auth of ['', 'Bearer x', 'Basic !!!', basic(creds.agentId, 'wrong'), basic('agt_nobody', creds.secret)]) {
      const res = await agentFetch(AGENT_HTTP.state, { auth });
      expect(res.status, auth).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('UNAUTHORIZED');
    }
    const helm = await agentFetch(AGENT_HTTP.state, { headers: { [AGENT_HTTP.headers.kind]: 'helm' } });
    expect(helm.status).toBe(401);
    const badInterval = await agentFetch(AGENT_HTTP.state, { headers: { [AGENT_HTTP.headers.pollInterval]: 'soon' } });
    expect(badInterval.status).toBe(400);
  });

  it('returns the desired state, brings the installation online, stores status reports, and goes offline when polls stop', async () => {
    const empty = await agentFetch(AGENT_HTTP.state);
    expect(empty.status).toBe(200);
    expect(empty.headers.get('cache-control')).toBe('no-store');
    expect(await empty.json()).toEqual({ desired: null, commands: [], license: null, pollIntervalSeconds: 1 });
    expect((await status()).online).toBe(true);

    const deployed = await api.post<{ revision: number }>(`/installations/${installationId}/deploy`, { versionId });
    expect(deployed.status).toBe(202);
    const polled = (await (await agentFetch(AGENT_HTTP.state)).json()) as AgentPollResponse;
    expect(polled.desired?.revision).toBe(deployed.body.revision);
    expect(polled.desired?.components[0]?.version).toBe('1.0.0');

    const report = { revision: deployed.body.revision, components: [{ name: 'shop-web', version: '1.0.0', health: 'healthy', since: new Date().toISOString() }] };
    const stored = await agentFetch(AGENT_HTTP.status, { method: 'POST', body: report });
    expect(stored.status).toBe(200);
    expect(await stored.json()).toEqual({ ok: true });
    const after = await status();
    expect(after).toMatchObject({ online: true, appliedRevision: deployed.body.revision, health: 'healthy' });

    const invalid = await agentFetch(AGENT_HTTP.status, { method: 'POST', body: { revision: -1 } });
    expect(invalid.status).toBe(400);
    expect((await status()).appliedRevision).toBe(deployed.body.revision); // nothing lost

    // Polling every second keeps the session for 3 s; the sweep then closes it.
    await waitFor(async () => !(await status()).online, 20_000, 'the polling session to expire');
    const events = (await api.get<{ items: { type: string; message: string | null }[] }>(`/installations/${installationId}/events`)).body.items;
    expect(events.some((e) => e.type === 'connected' && e.message?.includes('HTTP polling'))).toBe(true);

    // One session however many polls arrive at once.
    await Promise.all(Array.from({ length: 5 }, () => agentFetch(AGENT_HTTP.state)));
    expect((await status()).online).toBe(true);
    const open = await hub.infra.db('agent_sessions').where({ agent_id: creds.agentId }).whereNull('disconnected_at').count<{ n: string }[]>({ n: '*' });
    expect(Number(open[0]?.n)).toBe(1);
  });
});

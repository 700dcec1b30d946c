import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import { parse } from 'yaml';
import type { AgentCredentials, AgentPresence, InstallationStatus, LiveClientToServerEvents, LiveServerToClientEvents } from '@flotilla/protocol';
import { ApiClient, COMPOSE_V1 } from './api-client.js';
import { createTestDatabase, randomSuffix, startTestHub, waitFor, type TestDatabase, type TestHub } from './helpers.js';
import { connectAgent, host, nextDesired, type AgentSocket } from './sim-agent.js';

let tdb: TestDatabase;
let hub: TestHub;
let api: ApiClient;
let installationId: string;
let versionId: string;
const since = () => new Date().toISOString();

beforeAll(async () => {
  tdb = await createTestDatabase();
  hub = await startTestHub({ databaseUrl: tdb.url, publicUrl: 'http://hub.test:8080' });
  api = new ApiClient(hub.url);
  await api.signup(randomSuffix());
  const app = await api.post<{ id: string }>('/applications', { name: 'Shop Web', kind: 'compose' });
  versionId = (await api.post<{ id: string }>(`/applications/${app.body.id}/versions`, { version: '1.0.0', compose: { file: COMPOSE_V1 } })).body.id;
  const customer = await api.post<{ id: string }>('/customers', { name: 'Acme' });
  installationId = (await api.post<{ id: string }>('/installations', { customerId: customer.body.id, name: 'main', environment: 'production', agentKind: 'compose' })).body.id;
});

afterAll(async () => {
  await hub.close();
  await tdb.drop();
});

async function credentials(): Promise<AgentCredentials> {
  const res = await api.post<AgentCredentials>(`/installations/${installationId}/agent-credentials`);
  expect(res.status).toBe(201);
  return res.body;
}

function liveClient(): Promise<Socket<LiveServerToClientEvents, LiveClientToServerEvents>> {
  const s: Socket<LiveServerToClientEvents, LiveClientToServerEvents> = connect(`${hub.url}/live`, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { cookie: api.sessionCookie ?? '' } });
  return new Promise((resolve, reject) => {
    s.once('connect', () => resolve(s));
    s.once('connect_error', reject);
  });
}

describe('agent credentials and install link', () => {
  it('returns id, secret, single-use install URL and the matching one-line command', async () => {
    const creds = await credentials();
    expect(creds.agentId).toMatch(/^agt_/);
    expect(creds.secret.length).toBeGreaterThanOrEqual(43); // 256 bits, base64url
    expect(creds.installUrl).toMatch(/^http:\/\/hub\.test:8080\/api\/v1\/agent\/install\//);
    expect(creds.installCommand).toContain(creds.installUrl);
    expect(creds.installCommand).toMatch(/\| docker compose .*-f - up -d$/);

    const path = new URL(creds.installUrl).pathname;
    const first = await fetch(`${hub.url}${path}`);
    expect(first.status).toBe(200);
    const manifest = parse(await first.text()) as { services: Record<string, { environment: Record<string, string>; volumes: string[] }> };
    const agent = Object.values(manifest.services)[0];
    expect(agent?.environment).toMatchObject({ FLOTILLA_HUB_URL: 'http://hub.test:8080', FLOTILLA_AGENT_ID: creds.agentId, FLOTILLA_AGENT_SECRET: creds.secret });
    expect(agent?.volumes).toContain('/var/run/docker.sock:/var/run/docker.sock');

    const second = await fetch(`${hub.url}${path}`);
    expect(second.status).toBe(404);
    expect(((await second.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
  });
});

describe('agent connection', () => {
  let creds: AgentCredentials;
  let agent: AgentSocket;

  beforeAll(async () => {
    creds = await credentials();
  });

  it('refuses a wrong secret and a malformed handshake with UNAUTHORIZED', async () => {
    const wrong = await connectAgent(hub.url, creds.agentId, 'fas_wrong').catch((e: { data?: { code: string } }) => e);
    expect((wrong as { data?: { code: string } }).data?.code).toBe('UNAUTHORIZED');
    const helm = await connectAgent(hub.url, creds.agentId, creds.secret, { kind: 'helm' }).catch((e: { data?: { code: string } }) => e);
    expect((helm as { data?: { code: string } }).data?.code).toBe('UNAUTHORIZED');
  });

  it('connects, says hello (no desired state yet) and shows online live', async () => {
    const live = await liveClient();
    const presence = new Promise<AgentPresence>((r) => live.once('agent:presence', r));
    agent = await connectAgent(hub.url, creds.agentId, creds.secret);
    expect((await presence).online).toBe(true);
    const ack = await agent.emitWithAck('agent:hello', { host, appliedRevision: 0, components: [] });
    expect(ack).toEqual({ desired: null, commands: [], license: null });
    const status = await api.get<InstallationStatus>(`/installations/${installationId}/status`);
    expect(status.body.online).toBe(true);
    live.disconnect();
  });

  it('pushes state:desired the moment a deploy changes it', async () => {
    const pushed = nextDesired(agent);
    const deploy = await api.post<{ revision: number }>(`/installations/${installationId}/deploy`, { versionId });
    expect(deploy.status).toBe(202);
    expect(deploy.body.revision).toBe(1);
    const desired = await pushed;
    expect(desired).toMatchObject({ installationId, revision: 1, components: [{ name: 'shop-web', kind: 'compose', version: '1.0.0', stage: 1, spec: { file: COMPOSE_V1 } }] });
    const status = await api.get<InstallationStatus>(`/installations/${installationId}/status`);
    expect(status.body).toMatchObject({ desiredRevision: 1, appliedRevision: 0, desiredVersion: '1.0.0' });
  });

  it('stores status reports, records health transitions and pushes installation:status live', async () => {
    const live = await liveClient();
    const got: InstallationStatus[] = [];
    live.on('installation:status', (s) => got.push(s));
    expect(await agent.emitWithAck('status:report', { revision: 1, components: [{ name: 'shop-web', version: '1.0.0', health: 'healthy', since: since() }] })).toEqual({ ok: true });
    const status = await api.get<InstallationStatus>(`/installations/${installationId}/status`);
    expect(status.body).toMatchObject({ online: true, desiredRevision: 1, appliedRevision: 1, health: 'healthy', runningVersion: '1.0.0', components: [{ name: 'shop-web', version: '1.0.0', health: 'healthy' }] });
    await waitFor(() => got.find((s) => s.health === 'healthy'), 5000, 'a live healthy status');

    await agent.emitWithAck('status:report', { revision: 1, components: [{ name: 'shop-web', version: '1.0.0', health: 'failed', message: 'container exited (137)', since: since() }] });
    await waitFor(() => got.find((s) => s.health === 'failed'), 5000, 'a live failed status');
    const events = await api.get<{ items: { type: string; health: string | null; message: string | null }[] }>(`/installations/${installationId}/events`);
    const healthEvents = events.body.items.filter((e) => e.type === 'health').map((e) => e.health);
    expect(healthEvents.slice(0, 2)).toEqual(['failed', 'healthy']);
    expect(events.body.items.find((e) => e.health === 'failed')?.message).toBe('container exited (137)');
    live.disconnect();
  });

  it('answers a malformed payload with INVALID_PAYLOAD and keeps the agent connected', async () => {
    const ack = (await agent.emitWithAck('status:report', { revision: 'one' } as never)) as unknown as { error: { code: string } };
    expect(ack.error.code).toBe('INVALID_PAYLOAD');
    expect(agent.connected).toBe(true);
    expect(await agent.emitWithAck('status:report', { revision: 1, components: [{ name: 'shop-web', version: '1.0.0', health: 'healthy', since: since() }] })).toEqual({ ok: true });
    expect((await fetch(`${hub.url}/healthz`)).status).toBe(200);
  });

  it('re-sends the desired state on hello after a reconnect', async () => {
    agent.disconnect();
    await waitFor(async () => ((await api.get<InstallationStatus>(`/installations/${installationId}/status`)).body.online ? undefined : true), 5000, 'offline');
    agent = await connectAgent(hub.url, creds.agentId, creds.secret);
    const ack = await agent.emitWithAck('agent:hello', { host, appliedRevision: 1, components: [{ name: 'shop-web', version: '1.0.0', health: 'healthy', since: since() }] });
    expect(ack).toMatchObject({ desired: { revision: 1 } });
  });

  it('a late copy of an older report does not move the installation back; a hello does (an agent that lost its state)', async () => {
    const web = { name: 'shop-web', version: '1.0.0', since: since() };
    const healthy = [{ ...web, health: 'healthy' as const }];
    const pushed = nextDesired(agent);
    expect((await api.post(`/installations/${installationId}/deploy`, { versionId })).status).toBe(202);
    const revision = (await pushed).revision;
    expect(revision).toBeGreaterThan(1);
    const status = async () => (await api.get<InstallationStatus>(`/installations/${installationId}/status`)).body;
    expect(await agent.emitWithAck('status:report', { revision, components: healthy })).toEqual({ ok: true });
    // A retry of the previous revision's report, overtaken by the one above (as after a hub restart):
    // acknowledged, not stored (a rollout waiting for `revision` would otherwise wait for a next report).
    expect(await agent.emitWithAck('status:report', { revision: revision - 1, components: [{ ...web, health: 'failed', message: 'late' }] })).toEqual({ ok: true });
    expect(await status()).toMatchObject({ appliedRevision: revision, health: 'healthy' });
    // A hello is what runs now: an agent whose state was wiped starts over at 0.
    await agent.emitWithAck('agent:hello', { host, appliedRevision: 0, components: [] });
    expect(await status()).toMatchObject({ appliedRevision: 0 });
    await agent.emitWithAck('agent:hello', { host, appliedRevision: revision, components: healthy });
    expect(await status()).toMatchObject({ appliedRevision: revision, health: 'healthy' });
  });

  it('reports uptime over 24 h from sessions and health', async () => {
    const up = await api.get<{ window: string; uptimePercent: number; connectedPercent: number }>(`/installations/${installationId}/uptime?window=24h`);
    expect(up.status).toBe(200);
    expect(up.body.window).toBe('24h');
    expect(up.body.connectedPercent).toBeGreaterThan(0);
    expect(up.body.connectedPercent).toBeLessThanOrEqual(100);
    expect(up.body.uptimePercent).toBeLessThanOrEqual(up.body.connectedPercent);
    expect((await api.get('/installations/' + installationId + '/uptime?window=1y')).status).toBe(400);
    const list = await api.get<{ items: { id: string; uptime24h: number | null }[] }>('/installations');
    expect(list.body.items.find((i) => i.id === installationId)?.uptime24h).toBeGreaterThanOrEqual(0);
  });

  it('rotating credentials disconnects the agent at once and refuses the old secret', async () => {
    const dropped = new Promise<string>((r) => agent.once('disconnect', r));
    const fresh = await credentials();
    expect(await dropped).toBe('io server disconnect');
    const old = await connectAgent(hub.url, creds.agentId, creds.secret).catch((e: { data?: { code: string } }) => e);
    expect((old as { data?: { code: string } }).data?.code).toBe('UNAUTHORIZED');
    const again = await connectAgent(hub.url, fresh.agentId, fresh.secret);
    again.disconnect();
  });

  it('rate-limits repeated failed handshakes', async () => {
    const codes: string[] = [];
    for (let i = 0; i < 12; i++) {
      const e = await connectAgent(hub.url, 'agt_guess', `fas_guess_${i}`).catch((err: { data?: { code: string } }) => err);
      codes.push((e as { data?: { code: string } }).data?.code ?? 'connected');
    }
    expect(codes.slice(0, 10).every((c) => c === 'UNAUTHORIZED')).toBe(true);
    expect(codes.at(-1)).toBe('RATE_LIMITED');
  });
});

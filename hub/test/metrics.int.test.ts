import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentCredentials } from '@flotilla/protocol';
import { isLoopback } from '../src/http/routes/metrics.js';
import { ApiClient, COMPOSE_V1 } from './api-client.js';
import { createTestDatabase, metricSample as sample, randomSuffix, startTestHub, waitFor, type TestDatabase, type TestHub } from './helpers.js';
import { connectAgent, host, type AgentSocket } from './sim-agent.js';

/**
 * The hub's own Prometheus metrics: what a scraper reads after an agent connected and got a
 * deploy, and who may read them (METRICS_TOKEN, or loopback only).
 */
const TOKEN = 'metrics-token-0123456789';
let tdb: TestDatabase;
let hub: TestHub;
let open: TestHub;
let socket: AgentSocket;
let installationId: string;

beforeAll(async () => {
  tdb = await createTestDatabase();
  hub = await startTestHub({ databaseUrl: tdb.url, metricsToken: TOKEN });
  open = await startTestHub({ databaseUrl: tdb.url, trustProxy: true });
  const api = new ApiClient(hub.url);
  await api.signup(randomSuffix());
  const app = (await api.post<{ id: string }>('/applications', { name: 'Shop', kind: 'compose' })).body.id;
  const version = (await api.post<{ id: string }>(`/applications/${app}/versions`, { version: '1.0.0', compose: { file: COMPOSE_V1 } })).body.id;
  const customer = (await api.post<{ id: string }>('/customers', { name: 'Acme' })).body.id;
  installationId = (await api.post<{ id: string }>('/installations', { customerId: customer, name: 'main', environment: 'production', agentKind: 'compose' })).body.id;
  const creds = (await api.post<AgentCredentials>(`/installations/${installationId}/agent-credentials`)).body;
  socket = await connectAgent(hub.url, creds.agentId, creds.secret);
  await socket.emitWithAck('agent:hello', { host, appliedRevision: 0, components: [] });
  const pushed = new Promise((resolve) => socket.once('state:desired', resolve));
  expect((await api.post(`/installations/${installationId}/deploy`, { versionId: version })).status).toBe(202);
  await pushed;
}, 60_000);

afterAll(async () => {
  socket?.close();
  await hub?.close();
  await open?.close();
  await tdb?.drop();
});

const DEPLOY = '/api/v1/installations/:id/deploy';
const scrape = (base: string, headers: Record<string, string> = {}) => fetch(`${base}/metrics`, { headers });


describe('GET /metrics', () => {
  it('reports agents, pushes, requests by route template, queues, the database pool and the process', async () => {
    // The push is acknowledged asynchronously: its histogram is fed once the ack is back.
    const text = await waitFor(
      async () => {
        const t = await (await scrape(hub.url, { authorization: `Bearer ${TOKEN}` })).text();
        return (sample(t, 'flotilla_desired_state_push_seconds_count', { outcome: 'accepted' }) ?? 0) >= 1 ? t : undefined;
      },
      10_000,
      'an accepted push in the metrics',
    );
    expect(sample(text, 'flotilla_agents_connected', { app: 'flotilla-hub' })).toBe(1);
    expect(sample(text, 'flotilla_live_clients_connected')).toBe(0);
    expect(sample(text, 'flotilla_http_requests_total', { route: DEPLOY, method: 'POST', status: '2xx' })).toBe(1);
    expect(sample(text, 'flotilla_http_request_duration_seconds_count', { route: DEPLOY, method: 'POST' })).toBe(1);
    expect(sample(text, 'flotilla_queue_jobs', { queue: 'agent-commands', state: 'waiting' })).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'flotilla_queue_jobs', { queue: 'rollouts', state: 'failed' })).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'flotilla_db_pool_connections', { state: 'used' })).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'flotilla_event_loop_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'process_cpu_seconds_total')).toBeGreaterThan(0);
    // Where a connect storm's time goes: the one handshake's stages, and the batches it went through.
    for (const stage of ['authenticate', 'session', 'hello']) expect(sample(text, 'flotilla_agent_handshake_seconds_count', { stage })).toBe(1);
    for (const batcher of ['agent-credentials', 'sessions-opened', 'hellos', 'status-reports', 'desired-states', 'licenses', 'unfinished-commands']) {
      expect(sample(text, 'flotilla_batch_items_total', { batcher }), batcher).toBeGreaterThanOrEqual(1);
      expect(sample(text, 'flotilla_batch_flush_seconds_count', { batcher }), batcher).toBeGreaterThanOrEqual(1);
      expect(sample(text, 'flotilla_batch_wait_seconds_count', { batcher }), batcher).toBeGreaterThanOrEqual(1);
    }
    // Labels are templates: no installation id (unbounded cardinality) anywhere.
    expect(text).not.toContain(installationId);
  });

  it('wants the token when one is configured, and answers without it in the error shape', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong-token-0123456789' }, { authorization: TOKEN }] as Record<string, string>[]) {
      const res = await scrape(hub.url, headers);
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('UNAUTHORIZED');
    }
  });

  it('without a token, answers loopback clients only (behind a trusted proxy, the forwarded address counts)', async () => {
    const local = await scrape(open.url);
    expect(local.status).toBe(200);
    expect(local.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const remote = await scrape(open.url, { 'x-forwarded-for': '203.0.113.7' });
    expect(remote.status).toBe(403);
    expect(((await remote.json()) as { error: { message: string } }).error.message).toMatch(/METRICS_TOKEN/);
  });

  it('knows loopback addresses', () => {
    for (const a of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1']) expect(isLoopback(a), a).toBe(true);
    for (const a of ['10.0.0.1', '::ffff:10.0.0.1', '203.0.113.7', 'fe80::1', '', 'localhost']) expect(isLoopback(a), a).toBe(false);
  });
});

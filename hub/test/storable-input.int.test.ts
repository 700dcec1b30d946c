import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_HTTP, type AgentCredentials, type InstallationStatus, type StatusReport } from '@flotilla/protocol';
import { ROUTES } from '../src/http/route-access.js';
import { ApiClient, COMPOSE_V1 } from './api-client.js';
import { createTestDatabase, randomSuffix, startTestHub, waitFor, type TestDatabase, type TestHub } from './helpers.js';
import { connectAgent, host, type AgentSocket } from './sim-agent.js';

/**
 * Values the schemas used to accept and PostgreSQL refuses (U+0000, unpaired surrogates, year 0,
 * integers past int4, cursors that decode to nonsense) are refused at the edge with the catalogue's
 * 400, on REST, on the agent socket and on the HTTP polling fallback: never a 500.
 */
let tdb: TestDatabase;
let hub: TestHub;
let api: ApiClient;
let ids: { app: string; version: string; customer: string; installation: string; track: string; release: string };
const agents: { creds: AgentCredentials; installationId: string }[] = [];
const sockets: AgentSocket[] = [];

const NUL = 'a\u0000b';
const LONE = 'a\uD800b';
const YEAR_0 = '0000-06-01T00:00:00Z';
const INT4_OVERFLOW = 2 ** 31;

beforeAll(async () => {
  tdb = await createTestDatabase();
  hub = await startTestHub({ databaseUrl: tdb.url });
  api = new ApiClient(hub.url);
  await api.signup(randomSuffix());
  const app = (await api.post<{ id: string }>('/applications', { name: 'Shop Web', kind: 'compose' })).body.id;
  const version = (await api.post<{ id: string }>(`/applications/${app}/versions`, { version: '1.0.0', compose: { file: COMPOSE_V1 } })).body.id;
  const customer = (await api.post<{ id: string }>('/customers', { name: 'Acme' })).body.id;
  const track = (await api.post<{ id: string }>('/tracks', { name: 'Shop', applicationIds: [app] })).body.id;
  const release = (await api.post<{ id: string }>(`/tracks/${track}/releases`, { version: '1.0.0', stages: [[{ applicationId: app, versionId: version }]] })).body.id;
  expect((await api.post(`/releases/${release}/lock`)).status).toBe(200);
  for (const name of ['main', 'edge']) {
    const installationId = (await api.post<{ id: string }>('/installations', { customerId: customer, name, environment: 'production', agentKind: 'compose' })).body.id;
    agents.push({ installationId, creds: (await api.post<AgentCredentials>(`/installations/${installationId}/agent-credentials`)).body });
  }
  ids = { app, version, customer, installation: agents[0]!.installationId, track, release };
});

afterAll(async () => {
  for (const s of sockets) s.close();
  await hub.close();
  await tdb.drop();
});

function expectRefused(res: { status: number; body: unknown }, what: string) {
  expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBe(400);
  expect((res.body as { error: { code: string } }).error.code, what).toBe('VALIDATION_FAILED');
}

describe('free text PostgreSQL cannot store', () => {
  const bodies = (bad: string): [string, string, () => unknown][] => [
    ['POST', '/customers', () => ({ name: bad })],
    ['PATCH', `/customers/${ids.customer}`, () => ({ name: bad })],
    ['POST', '/applications', () => ({ name: 'x', kind: 'compose', description: bad })],
    ['POST', `/applications/${ids.app}/versions`, () => ({ version: '2.0.0', compose: { file: `${COMPOSE_V1}# ${bad}\n` } })],
    ['POST', `/applications/${ids.app}/versions`, () => ({ version: '2.0.1', compose: { file: COMPOSE_V1 }, notes: bad })],
    ['POST', '/installations', () => ({ customerId: ids.customer, name: bad, environment: 'production', agentKind: 'compose' })],
    ['PATCH', `/installations/${ids.installation}`, () => ({ environment: bad })],
    ['POST', '/tracks', () => ({ name: bad })],
    ['POST', `/tracks/${ids.track}/releases`, () => ({ version: '2.0.0', notes: bad })],
    ['POST', `/tracks/${ids.track}/releases`, () => ({ version: '2.0.0', checklist: [bad] })],
    ['PATCH', `/releases/${ids.release}`, () => ({ name: bad })],
    ['POST', '/entitlements', () => ({ customerId: ids.customer, trackId: ids.track, versionRange: bad })],
    ['POST', '/tokens', () => ({ name: bad })],
    ['POST', '/auth/signup', () => ({ email: `x-${randomSuffix()}@example.com`, password: 'correct horse battery staple', name: bad, vendorName: 'V' })],
  ];

  it.each([
    ['U+0000', NUL],
    ['an unpaired surrogate', LONE],
  ])('refuses %s in every free-text field of a REST body with 400', async (_what, bad) => {
    for (const [method, path, body] of bodies(bad)) expectRefused(await api.call(method, path, body()), `${method} ${path}`);
  });

  it('keeps well-formed text outside the BMP (an emoji is a surrogate pair, not a lone half)', async () => {
    const res = await api.post<{ name: string }>('/customers', { name: 'Café 🚢' });
    expect(res.status).toBe(201);
    expect(res.body.name).toBe('Café 🚢');
  });
});

describe('path parameters PostgreSQL cannot compare', () => {
  it('answers 404 for U+0000 in the path parameter of every route that has one', async () => {
    const withParams = Object.keys(ROUTES).filter((key) => key.includes('/:'));
    expect(withParams.length).toBeGreaterThan(20);
    for (const key of withParams) {
      const [method, pattern] = key.split(' ') as [string, string];
      const path = pattern.replace(/:\w+/g, 'a%00b');
      const res = await fetch(`${hub.url}/api/v1${path}`, {
        method,
        headers: { cookie: api.sessionCookie ?? '', 'content-type': 'application/json' },
        ...(method === 'GET' || method === 'DELETE' ? {} : { body: '{}' }),
      });
      const body = (await res.json()) as { error: { code: string } };
      expect(res.status, `${key}: ${JSON.stringify(body)}`).toBe(404);
      expect(body.error.code, key).toBe('NOT_FOUND');
    }
  });
});

describe('dates and integers past what their columns hold', () => {
  it('refuses the year 0 in a date', async () => {
    expectRefused(await api.post('/entitlements', { customerId: ids.customer, trackId: ids.track, expiresAt: YEAR_0 }), 'entitlement expiresAt');
    expectRefused(await api.get(`/audit?from=${YEAR_0}`), 'audit from');
  });

  it('refuses integers past int4 in a rollout strategy', async () => {
    const targets = { installationIds: [ids.installation] };
    expectRefused(await api.post('/rollouts', { releaseId: ids.release, targets, strategy: { maxFailures: INT4_OVERFLOW } }), 'maxFailures');
    expectRefused(await api.post('/rollouts', { releaseId: ids.release, targets, strategy: { waves: [{ count: INT4_OVERFLOW }] } }), 'wave count');
  });

  it('refuses ids past bigint in ?before', async () => {
    expectRefused(await api.get(`/installations/${ids.installation}/events?before=1e30`), 'events before');
    expectRefused(await api.get('/audit?before=99999999999999999999'), 'audit before');
  });
});

describe('pagination cursors', () => {
  const cursor = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const bogus = [
    cursor(['0000-01-01T00:00:00Z', '00000000-0000-4000-8000-000000000000']),
    cursor(['2026-01-01T00:00:00Z', 'not-a-uuid']),
    cursor(['yesterday', '00000000-0000-4000-8000-000000000000']),
    cursor([1, 2]),
    cursor({ createdAt: '2026-01-01T00:00:00Z' }),
    cursor('x'),
    'not base64 !',
    Buffer.from([0xff, 0xfe, 0x00]).toString('base64url'),
  ];

  it('refuses a well-formed but bogus cursor with a clear 400 on every paginated list', async () => {
    for (const path of ['/customers', '/applications', `/applications/${ids.app}/versions`, '/installations', `/installations/${ids.installation}/commands`]) {
      for (const c of bogus) {
        const res = await api.get<{ error: { message: string } }>(`${path}?cursor=${encodeURIComponent(c)}`);
        expectRefused(res, `${path} cursor ${c}`);
        expect(res.body.error.message).toMatch(/cursor/);
      }
    }
  });
});

describe('agent payloads', () => {
  const basic = (c: AgentCredentials) => `Basic ${Buffer.from(`${c.agentId}:${c.secret}`).toString('base64')}`;
  const poll = (c: AgentCredentials, path: string, body: unknown) =>
    fetch(`${hub.url}${path}`, { method: 'POST', headers: { authorization: basic(c), 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const since = () => new Date().toISOString();
  // Typed as a report, though `over`/`component` put values outside the schema: the hub must refuse those.
  const report = (over: Record<string, unknown> = {}, component: Record<string, unknown> = {}): StatusReport => ({
    revision: 0,
    components: [{ name: 'shop-web', version: '1.0.0', health: 'healthy', since: since(), ...component }],
    ...over,
  });

  it('refuses bad text, year 0 and int4 overflows on the HTTP polling fallback with 400', async () => {
    const { creds } = agents[1]!;
    const bad: [string, unknown][] = [
      [AGENT_HTTP.status, report({ revision: INT4_OVERFLOW })],
      [AGENT_HTTP.status, report({}, { message: NUL })],
      [AGENT_HTTP.status, report({}, { version: LONE })],
      [AGENT_HTTP.status, report({}, { since: YEAR_0 })],
      [AGENT_HTTP.status, report({ metrics: { [NUL]: 1 } })],
      [AGENT_HTTP.progress, { id: '00000000-0000-4000-8000-000000000000', status: 'running', message: NUL }],
    ];
    for (const [path, body] of bad) {
      const res = await poll(creds, path, body);
      expectRefused({ status: res.status, body: await res.json() }, `${path} ${JSON.stringify(body)}`);
    }
  });

  it('refuses a hostname with U+0000 in the hello, and one agent bad report does not spoil the others', async () => {
    const [bad, good] = await Promise.all(agents.map((a) => connectAgent(hub.url, a.creds.agentId, a.creds.secret)));
    sockets.push(bad!, good!);
    const hello = await bad!.emitWithAck('agent:hello', { host: { ...host, hostname: NUL }, appliedRevision: 0, components: [] });
    expect(hello).toMatchObject({ error: { code: 'INVALID_PAYLOAD' } });
    expect(await good!.emitWithAck('agent:hello', { host, appliedRevision: 0, components: [] })).toHaveProperty('desired');

    // Sent together, so they land in the same batch of reports.
    const [refused, stored, overflow] = await Promise.all([
      bad!.emitWithAck('status:report', report({}, { message: NUL })),
      good!.emitWithAck('status:report', report({}, { message: 'all good' })),
      bad!.emitWithAck('status:report', report({ revision: INT4_OVERFLOW })),
    ]);
    expect(refused).toMatchObject({ error: { code: 'INVALID_PAYLOAD' } });
    expect(overflow).toMatchObject({ error: { code: 'INVALID_PAYLOAD' } });
    expect(stored).toEqual({ ok: true });
    const status = await waitFor(async () => {
      const s = (await api.get<InstallationStatus>(`/installations/${agents[1]!.installationId}/status`)).body;
      return s.components[0]?.message === 'all good' ? s : undefined;
    });
    expect(status.health).toBe('healthy');
    expect(bad!.connected).toBe(true);
  });
});

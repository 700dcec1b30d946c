import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_HTTP, type AgentCredentials, type AgentPollResponse, type DesiredState, type Installation, type InstallationConfig, type Release, type Rollout } from '@flotilla/protocol';
import { createDatabase, type Database } from '../src/infra/database.js';
import { createTestDatabase, randomSuffix, startTestHub, waitFor, type TestDatabase, type TestHub } from './helpers.js';
import { auditRows, join, Session, type Err } from './identity-helpers.js';
import { connectAgent, host, nextDesired, type AgentSocket } from './sim-agent.js';

/** Per-installation configuration: env values, write-only secrets sealed at rest, helm overrides; delivered only to agents. */
let tdb: TestDatabase;
let hub: TestHub;
let db: Database;
let admin: Session;
/** Filled in beforeAll. */
const ids = {} as Record<'version' | 'track' | 'release' | 'customer' | 'other' | 'compose' | 'helm', string>;
const SECRET = 'hunter2-very-secret-value';
const sockets: AgentSocket[] = [];

const configOf = async (s: Session, id: string) => s.get<InstallationConfig & Err>(`/installations/${id}/config`);
const put = (s: Session, id: string, components: Record<string, unknown>) => s.call<InstallationConfig & Err>('PUT', `/installations/${id}/config`, { components });

async function installation(name: string, agentKind: 'compose' | 'helm', customerId = ids.customer): Promise<string> {
  const res = await admin.post<{ id: string }>('/installations', { customerId, name, environment: 'production', agentKind, ...(agentKind === 'compose' ? { trackId: ids.track } : {}) });
  expect(res.status).toBe(201);
  return res.body.id;
}

async function agentOf(installationId: string): Promise<{ creds: AgentCredentials; socket: AgentSocket; hello: DesiredState | null }> {
  const creds = (await admin.post<AgentCredentials>(`/installations/${installationId}/agent-credentials`)).body;
  const socket = await connectAgent(hub.url, creds.agentId, creds.secret);
  sockets.push(socket);
  const ack = (await socket.emitWithAck('agent:hello', { host, appliedRevision: 0, components: [] })) as { desired: DesiredState | null };
  return { creds, socket, hello: ack.desired };
}

const envOf = (state: DesiredState | null | undefined, name = 'api') => {
  const c = state?.components.find((x) => x.name === name);
  return c?.kind === 'compose' ? { environment: c.spec.environment, secretKeys: c.spec.secretKeys } : undefined;
};

beforeAll(async () => {
  tdb = await createTestDatabase();
  hub = await startTestHub({ databaseUrl: tdb.url });
  db = createDatabase(tdb.url);
  admin = new Session(hub.url, []);
  await admin.signup(randomSuffix());
  const app = (await admin.post<{ id: string }>('/applications', { name: 'api', kind: 'compose' })).body.id;
  ids.version = (await admin.post<{ id: string }>(`/applications/${app}/versions`, { version: '1.0.0', compose: { file: 'services:\n  api:\n    image: sim/api:1\n    environment: [LOG_LEVEL, DB_PASSWORD]\n' } })).body.id;
  ids.track = (await admin.post<{ id: string }>('/tracks', { name: 'Platform', applicationIds: [app] })).body.id;
  ids.release = (await admin.post<Release>(`/tracks/${ids.track}/releases`, { version: '1.0.0', stages: [[{ applicationId: app, versionId: ids.version }]] })).body.id;
  expect((await admin.post(`/releases/${ids.release}/lock`)).status).toBe(200);
  ids.customer = (await admin.post<{ id: string }>('/customers', { name: 'Acme' })).body.id;
  ids.other = (await admin.post<{ id: string }>('/customers', { name: 'Other' })).body.id;
  expect((await admin.post('/entitlements', { customerId: ids.customer, trackId: ids.track })).status).toBe(201);
  ids.compose = await installation('main', 'compose');
  ids.helm = await installation('k8s', 'helm');
}, 120_000);

afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await db.destroy();
  await hub.close();
  await tdb.drop();
});

describe('installation configuration', () => {
  it('lists the components its track ships, unconfigured', async () => {
    const res = await configOf(admin, ids.compose);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ installationId: ids.compose, agentKind: 'compose', components: [{ component: 'api', env: {}, secrets: [], helmValues: null }] });
  });

  it('refuses bad input with 400 and stores nothing', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ api: { env: { '1BAD': 'x' } } }, /components\.api\.env\.1BAD: not an environment variable name/],
      [{ api: { env: { 'A-B': 'x' } } }, /components\.api\.env\.A-B: not an environment variable name/],
      [{ api: { secrets: { 'has space': 'x' } } }, /components\.api\.secrets\.has space: not an environment variable name/],
      [{ api: { env: { BIG: 'x'.repeat(32_001) } } }, /32000/],
      [{ api: { env: Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`K${i}`, 'v'])) } }, /at most 200/],
      [{ api: { env: {}, colour: 'red' } }, /colour|Unrecognized/i],
      [{ 'Not A Name': { env: {} } }, /components\.Not A Name: Invalid key/],
      [{ api: { helmValues: 'a: 1\n' } }, /helmValues: applies to helm installations only/],
      [{ api: { env: { TOKEN: 'a' }, secrets: { TOKEN: 'b' } } }, /TOKEN is both an environment value and a secret/],
    ];
    for (const [components, message] of cases) {
      const res = await put(admin, ids.compose, components);
      expect(res.status, JSON.stringify(components).slice(0, 80)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.message).toMatch(message);
    }
    const helmEnv = await put(admin, ids.helm, { chart: { env: { A: '1' } } });
    expect(helmEnv.status).toBe(400);
    expect(helmEnv.body.error.message).toMatch(/apply to compose installations/);
    const badYaml = await put(admin, ids.helm, { chart: { helmValues: 'a: [1\n' } });
    expect(badYaml.status).toBe(400);
    expect(badYaml.body.error.message).toMatch(/components\.chart\.helmValues: .*YAML/);
    expect(Number((await db('installation_config').count<{ count: string }[]>('* as count'))[0]?.count)).toBe(0);
  });

  it('a hub without SECRETS_KEY refuses secrets (never stored plain) and still takes environment values', async () => {
    const plain = await startTestHub({ databaseUrl: tdb.url, secretsKey: null });
    try {
      const session = new Session(plain.url, []);
      await session.signup(randomSuffix());
      const customer = (await session.post<{ id: string }>('/customers', { name: 'Keyless' })).body.id;
      const id = (await session.post<{ id: string }>('/installations', { customerId: customer, name: 'keyless', environment: 'production', agentKind: 'compose' })).body.id;
      const refused = await put(session, id, { api: { env: { LOG_LEVEL: 'info' }, secrets: { DB_PASSWORD: SECRET } } });
      expect(refused.status).toBe(409);
      expect(JSON.stringify(refused.body)).toContain('SECRETS_KEY');
      expect(await db('installation_config').where({ installation_id: id })).toEqual([]);
      const envOnly = await put(session, id, { api: { env: { LOG_LEVEL: 'info' }, secrets: { DB_PASSWORD: null } } });
      expect(envOnly.status).toBe(200);
      expect(envOnly.body.components.find((c) => c.component === 'api')).toMatchObject({ env: { LOG_LEVEL: 'info' }, secrets: [] });
    } finally {
      await plain.close();
    }
  });

  it('keeps secrets write-only and sealed at rest; omitted keeps, null removes, a string replaces', async () => {
    const set = await put(admin, ids.compose, { api: { env: { LOG_LEVEL: 'debug' }, secrets: { DB_PASSWORD: SECRET, OLD_TOKEN: 'old-token-value' } } });
    expect(set.status).toBe(200);
    expect(set.body.components).toEqual([{ component: 'api', env: { LOG_LEVEL: 'debug' }, secrets: [{ name: 'DB_PASSWORD', set: true }, { name: 'OLD_TOKEN', set: true }], helmValues: null }]);
    expect(JSON.stringify((await configOf(admin, ids.compose)).body)).not.toContain(SECRET);

    const row: { secrets: Record<string, string>; env: Record<string, string> } = await db('installation_config').where({ installation_id: ids.compose, component: 'api' }).first();
    expect(row.env).toEqual({ LOG_LEVEL: 'debug' });
    expect(row.secrets.DB_PASSWORD).toMatch(/^enc:v1:/);
    const raw: { text: string } = await db('installation_config').where({ installation_id: ids.compose }).first(db.raw('row_to_json(installation_config)::text as text'));
    expect(raw.text).not.toContain(SECRET);
    expect(raw.text).not.toContain('old-token-value');

    const sealedBefore = row.secrets.DB_PASSWORD;
    const removed = await put(admin, ids.compose, { api: { secrets: { OLD_TOKEN: null } } });
    expect(removed.body.components[0]).toEqual({ component: 'api', env: { LOG_LEVEL: 'debug' }, secrets: [{ name: 'DB_PASSWORD', set: true }], helmValues: null });
    const kept: { secrets: Record<string, string> } = await db('installation_config').where({ installation_id: ids.compose, component: 'api' }).first();
    expect(kept.secrets).toEqual({ DB_PASSWORD: sealedBefore });

    const audits = await auditRows(admin, '?action=installation.config');
    expect(audits.length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(audits)).not.toContain(SECRET);
    expect(audits.find((a) => JSON.stringify(a).includes('OLD_TOKEN'))).toBeDefined();
  });

  it('delivers env and opened secrets to the agent only: on push, on hello and on HTTP polls; stored revisions stay sealed', async () => {
    const agent = await agentOf(ids.compose);
    expect(agent.hello).toBeNull();
    const pushed = nextDesired(agent.socket);
    const deployed = await admin.post<{ revision: number }>(`/installations/${ids.compose}/deploy`, { versionId: ids.version });
    expect(deployed.status).toBe(202);
    expect(envOf(await pushed)).toEqual({ environment: { LOG_LEVEL: 'debug', DB_PASSWORD: SECRET }, secretKeys: ['DB_PASSWORD'] });

    const stored: { text: string }[] = await db('desired_states').where({ installation_id: ids.compose }).select(db.raw('components::text as text'));
    expect(stored.length).toBe(1);
    expect(stored[0]?.text).toContain('enc:v1:');
    expect(stored[0]?.text).not.toContain(SECRET);

    const again = await connectAgent(hub.url, agent.creds.agentId, agent.creds.secret);
    sockets.push(again);
    const ack = (await again.emitWithAck('agent:hello', { host, appliedRevision: 0, components: [] })) as { desired: DesiredState | null };
    expect(envOf(ack.desired)?.environment?.DB_PASSWORD).toBe(SECRET);
    again.disconnect();

    const poll = await fetch(`${hub.url}${AGENT_HTTP.state}`, {
      headers: { authorization: `Basic ${Buffer.from(`${agent.creds.agentId}:${agent.creds.secret}`).toString('base64')}`, [AGENT_HTTP.headers.agentVersion]: '0.1.0-poll', [AGENT_HTTP.headers.pollInterval]: '5' },
    });
    expect(poll.status).toBe(200);
    expect(envOf(((await poll.json()) as AgentPollResponse).desired)?.environment?.DB_PASSWORD).toBe(SECRET);

    // REST never shows it: not the installation, not its status.
    for (const path of [`/installations/${ids.compose}`, `/installations/${ids.compose}/status`, `/installations/${ids.compose}/events`]) {
      expect(JSON.stringify((await admin.get(path)).body)).not.toContain(SECRET);
    }
  });

  it('rollout stages carry the configuration too', async () => {
    const second = await installation('second', 'compose');
    expect((await put(admin, second, { api: { env: { LOG_LEVEL: 'warn' }, secrets: { DB_PASSWORD: 'rollout-secret' } } })).status).toBe(200);
    const agent = await agentOf(second);
    const pushed = nextDesired(agent.socket);
    const res = await admin.post<Rollout>('/rollouts', { releaseId: ids.release, targets: { installationIds: [second] }, strategy: { respectMaintenanceWindows: false } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(envOf(await pushed)).toEqual({ environment: { LOG_LEVEL: 'warn', DB_PASSWORD: 'rollout-secret' }, secretKeys: ['DB_PASSWORD'] });
  });

  it('backs PATCH helmValues and the installation resource with the same configuration', async () => {
    const patched = await admin.patch<Installation>(`/installations/${ids.helm}`, { helmValues: { chart: 'replicas: 2\n' } });
    expect(patched.status).toBe(200);
    expect(patched.body.helmValues).toEqual({ chart: 'replicas: 2\n' });
    expect((await configOf(admin, ids.helm)).body.components).toEqual([{ component: 'chart', env: {}, secrets: [], helmValues: 'replicas: 2\n' }]);
    const viaPut = await put(admin, ids.helm, { web: { helmValues: 'ingress: {enabled: true}\n' } });
    expect(viaPut.status).toBe(200);
    expect((await admin.get<Installation>(`/installations/${ids.helm}`)).body.helmValues).toEqual({ chart: 'replicas: 2\n', web: 'ingress: {enabled: true}\n' });
    expect((await put(admin, ids.helm, { chart: { helmValues: null } })).status).toBe(200);
    expect((await admin.get<Installation>(`/installations/${ids.helm}`)).body.helmValues).toEqual({ web: 'ingress: {enabled: true}\n' });
    // PATCH replaces the whole set, as before.
    expect((await admin.patch<Installation>(`/installations/${ids.helm}`, { helmValues: {} })).body.helmValues).toEqual({});
  });

  it('role matrix: viewers read, admins write; customers only their own', async () => {
    const body = { api: { env: { LOG_LEVEL: 'info' } } };
    const vendorViewer = await join(admin, 'viewer');
    const releaseManager = await join(admin, 'release-manager');
    const customerAdmin = await join(admin, 'admin', ids.customer);
    const customerViewer = await join(admin, 'viewer', ids.customer);
    const strangerAdmin = await join(admin, 'admin', ids.other);
    expect((await configOf(vendorViewer, ids.compose)).status).toBe(200);
    expect((await put(vendorViewer, ids.compose, body)).status).toBe(403);
    expect((await put(releaseManager, ids.compose, body)).status).toBe(403);
    expect((await configOf(customerViewer, ids.compose)).status).toBe(200);
    expect((await put(customerViewer, ids.compose, body)).status).toBe(403);
    expect((await configOf(strangerAdmin, ids.compose)).status).toBe(404);
    expect((await put(strangerAdmin, ids.compose, body)).status).toBe(404);
    const own = await put(customerAdmin, ids.compose, body);
    expect(own.status).toBe(200);
    expect(own.body.components[0]?.env).toEqual({ LOG_LEVEL: 'info' });
    // Whoever reads it, a secret is a name.
    expect(JSON.stringify((await configOf(customerViewer, ids.compose)).body)).not.toContain(SECRET);
    await waitFor(async () => ((await auditRows(admin, '?action=installation.config')).some((a) => a.actor.userId === customerAdmin.userId && a.target.type === 'installation' && a.target.id === ids.compose) ? true : undefined), 5000, 'the customer admin\'s audit row');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_HTTP, type AgentCredentials } from '@flotilla/protocol';
import { ApiClient } from './api-client.js';
import { createTestDatabase, randomSuffix, startTestHub, type TestDatabase, type TestHub } from './helpers.js';
import { PASSWORD, type Err } from './identity-helpers.js';
import { connectAgent } from './sim-agent.js';

// Limits that count before they check (issue #14, class 3) and that a stranger cannot turn into a
// lockout of an account or agent they do not control (class 4). The hub trusts X-Forwarded-For here,
// so each test plays its clients from addresses of its own.
let tdb: TestDatabase;
let hub: TestHub;
let admin: ApiClient;
let customerId: string;

beforeAll(async () => {
  tdb = await createTestDatabase();
  hub = await startTestHub({ databaseUrl: tdb.url, trustProxy: true });
  admin = new ApiClient(hub.url);
  await admin.signup(randomSuffix());
  customerId = (await admin.post<{ id: string }>('/customers', { name: 'Acme' })).body.id;
});

afterAll(async () => {
  await hub?.close();
  await tdb?.drop();
});

function login(email: string, password: string, from: string): Promise<number> {
  return fetch(`${hub.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': from },
    body: JSON.stringify({ email, password }),
  }).then(async (res) => {
    await res.arrayBuffer();
    return res.status;
  });
}

/** A user of the admin's vendor with PASSWORD, who never signed in yet. */
async function newUser(): Promise<string> {
  const email = `viewer-${randomSuffix()}@example.com`;
  const invite = await admin.post<{ inviteUrl: string }>('/invites', { email, role: 'viewer' });
  expect(invite.status).toBe(201);
  const res = await fetch(`${hub.url}/api/v1/invites/${invite.body.inviteUrl.split('/').at(-1) ?? ''}/accept`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': `10.99.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}` },
    body: JSON.stringify({ name: 'Vic Tim', password: PASSWORD }),
  });
  expect(res.status).toBe(200);
  return email;
}

const count = (statuses: number[], status: number) => statuses.filter((s) => s === status).length;

describe('sign-in limits', () => {
  it('counts 200 concurrent guesses before checking them: at most 10 wrong ones are checked, right ones among them reset nothing', async () => {
    const email = await newUser();
    // An attacker who also knows the password (or a user signing in meanwhile) must not reopen the window.
    const guesses = Array.from({ length: 200 }, (_, i) => (i % 5 === 4 ? PASSWORD : `guess-${i}`));
    const statuses = await Promise.all(guesses.map((p) => login(email, p, '10.3.0.1')));
    expect(count(statuses, 401)).toBeGreaterThan(0);
    expect(count(statuses, 401)).toBeLessThanOrEqual(10);
    expect(count(statuses, 429)).toBe(200 - count(statuses, 401) - count(statuses, 200));
    expect(count(statuses, 429)).toBeGreaterThanOrEqual(150);
  });

  it('a success does not reset the count of failures before it', async () => {
    const email = await newUser();
    for (let i = 0; i < 9; i++) expect(await login(email, `guess-${i}`, '10.3.0.2')).toBe(401);
    expect(await login(email, PASSWORD, '10.3.0.2')).toBe(200);
    const after = [];
    for (let i = 0; i < 3; i++) after.push(await login(email, `guess-again-${i}`, '10.3.0.2'));
    expect(after).toEqual([401, 429, 429]);
  });

  it("a stranger's guesses from another address do not lock the account", async () => {
    const email = await newUser();
    const statuses = await Promise.all(Array.from({ length: 30 }, (_, i) => login(email, `guess-${i}`, '10.4.0.66')));
    expect(count(statuses, 429)).toBeGreaterThanOrEqual(20);
    expect(await login(email, PASSWORD, '10.4.0.1')).toBe(200);
  });

  it('an address over its limit still lets in the accounts that signed in from it before (colleagues behind one NAT)', async () => {
    const colleague = await newUser();
    expect(await login(colleague, PASSWORD, '10.5.0.1')).toBe(200);
    // 100 wrong sign-ins for 100 accounts from the same address, then more.
    const spray = await Promise.all(Array.from({ length: 110 }, (_, i) => login(`nobody-${i}@example.com`, 'guess', '10.5.0.1')));
    expect(count(spray, 401)).toBeLessThanOrEqual(100);
    expect(count(spray, 429)).toBeGreaterThanOrEqual(10);
    expect(await login(`nobody-else@example.com`, 'guess', '10.5.0.1')).toBe(429);
    expect(await login(colleague, PASSWORD, '10.5.0.1')).toBe(200);
  }, 240_000); // 100 scrypt checks (unknown accounts are checked against a dummy hash): a minute on a busy 2-core machine
});

describe('invite acceptance under the sign-in limit', () => {
  it('an existing account accepting while its sign-in is rate-limited gets 429 and the invite stays open', async () => {
    const other = new ApiClient(hub.url);
    const { email } = await other.signup(randomSuffix());
    const res = await admin.post<{ inviteUrl: string }>('/invites', { email, role: 'viewer', customerId });
    expect(res.status).toBe(201);
    const token = res.body.inviteUrl.split('/').at(-1) ?? '';
    for (let i = 0; i < 10; i++) expect(await login(email, `guess-${i}`, '10.8.0.1')).toBe(401);
    const accept = (from: string) =>
      fetch(`${hub.url}/api/v1/invites/${token}/accept`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': from },
        body: JSON.stringify({ name: 'Other', password: PASSWORD }),
      });
    const limited = await accept('10.8.0.1');
    expect(limited.status).toBe(429);
    expect(((await limited.json()) as Err).error.code).toBe('RATE_LIMITED');
    const pending = await admin.get<{ items: { email: string }[] }>('/invites');
    expect(pending.body.items.map((i) => i.email)).toContain(email);
    // The invite was not used: its owner accepts it from elsewhere.
    expect((await accept('10.8.0.2')).status).toBe(200);
  });
});

describe('agent handshake limits', () => {
  async function newAgent(): Promise<AgentCredentials> {
    const id = (await admin.post<{ id: string }>('/installations', { customerId, name: `i-${randomSuffix()}`, environment: 'production', agentKind: 'compose' })).body.id;
    const res = await admin.post<AgentCredentials>(`/installations/${id}/agent-credentials`);
    expect(res.status).toBe(201);
    return res.body;
  }

  const poll = (agentId: string, secret: string, from: string) =>
    fetch(`${hub.url}${AGENT_HTTP.state}`, {
      headers: { authorization: `Basic ${Buffer.from(`${agentId}:${secret}`).toString('base64')}`, [AGENT_HTTP.headers.agentVersion]: '0.1.0-test', 'x-forwarded-for': from },
    }).then(async (res) => {
      await res.arrayBuffer();
      return res.status;
    });

  const handshake = (agentId: string, secret: string, from: string) =>
    connectAgent(hub.url, agentId, secret, { headers: { 'x-forwarded-for': from } }).then(
      (socket) => {
        socket.disconnect();
        return 'connected';
      },
      (err: { data?: { code: string } }) => err.data?.code ?? 'error',
    );

  it('of 200 concurrent wrong secrets over HTTP polling at most 10 are checked; the real agent at its own address is not locked out', async () => {
    const creds = await newAgent();
    const statuses = await Promise.all(Array.from({ length: 200 }, (_, i) => poll(creds.agentId, `fas_wrong_${i}`, '10.6.0.66')));
    expect(count(statuses, 401)).toBeLessThanOrEqual(10);
    expect(count(statuses, 429)).toBeGreaterThanOrEqual(190);
    expect(await poll(creds.agentId, creds.secret, '10.6.0.1')).toBe(200);
  });

  it('of 50 concurrent wrong socket handshakes at most 10 are checked; the real agent still connects from its own address', async () => {
    const creds = await newAgent();
    const codes = await Promise.all(Array.from({ length: 50 }, (_, i) => handshake(creds.agentId, `fas_wrong_${i}`, '10.6.1.66')));
    expect(codes.filter((c) => c === 'UNAUTHORIZED').length).toBeLessThanOrEqual(10);
    expect(codes.filter((c) => c === 'RATE_LIMITED').length).toBeGreaterThanOrEqual(40);
    expect(await handshake(creds.agentId, creds.secret, '10.6.1.1')).toBe('connected');
  });

  it('an address over its limit (a broken neighbour behind the same NAT) still lets in the agents that connected from it before', async () => {
    const site = '10.7.0.1';
    const [polling, socketAgent] = [await newAgent(), await newAgent()];
    expect(await poll(polling.agentId, polling.secret, site)).toBe(200);
    expect(await handshake(socketAgent.agentId, socketAgent.secret, site)).toBe('connected');
    const stale = await Promise.all(Array.from({ length: 60 }, (_, i) => poll(`agt_stale_${i}`, 'fas_gone', site)));
    expect(count(stale, 401)).toBeLessThanOrEqual(50);
    expect(count(stale, 429)).toBeGreaterThanOrEqual(10);
    expect(await poll('agt_another_stale', 'fas_gone', site)).toBe(429);
    expect(await poll(polling.agentId, polling.secret, site)).toBe(200);
    expect(await handshake(socketAgent.agentId, socketAgent.secret, site)).toBe('connected');
  });
});

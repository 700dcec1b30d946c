import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, COMPOSE_V1 } from './api-client.js';
import { createTestDatabase, randomSuffix, startTestHub, type TestDatabase, type TestHub } from './helpers.js';

let tdb: TestDatabase;
let hub: TestHub;
let a: ApiClient;
let b: ApiClient;

beforeAll(async () => {
  tdb = await createTestDatabase();
  hub = await startTestHub({ databaseUrl: tdb.url });
  a = new ApiClient(hub.url);
  b = new ApiClient(hub.url);
  await a.signup(`a${randomSuffix()}`);
  await b.signup(`b${randomSuffix()}`);
});

afterAll(async () => {
  await hub.close();
  await tdb.drop();
});

type Err = { error: { code: string; message: string; details?: unknown } };

describe('auth', () => {
  it('signs up, reads /me, logs out, and logs in again', async () => {
    const c = new ApiClient(hub.url);
    const s = await c.signup(`c${randomSuffix()}`);
    const me = await c.get<{ user: { email: string }; memberships: { vendorId: string; role: string }[] }>('/me');
    expect(me.status).toBe(200);
    expect(me.body.user.email).toBe(s.email);
    expect(me.body.memberships).toEqual([expect.objectContaining({ vendorId: s.vendorId, role: 'admin', customerId: null })]);
    expect(c.sessionCookie).toBeTruthy();

    const oldCookie = c.sessionCookie ?? '';
    expect((await c.post('/auth/logout')).status).toBe(204);
    // the old cookie value is revoked server-side, not just cleared in the browser
    const replay = await fetch(`${hub.url}/api/v1/me`, { headers: { cookie: oldCookie } });
    expect(replay.status).toBe(401);

    const login = await c.post<{ user: { email: string }; memberships: unknown[] }>('/auth/login', { email: s.email.toUpperCase(), password: s.password });
    expect(login.status).toBe(200);
    expect(login.body.memberships).toHaveLength(1);
    expect(login.headers.get('set-cookie')).toMatch(/flotilla_session=.*HttpOnly/i);
    expect(login.headers.get('set-cookie')).toMatch(/samesite=lax/i);
  });

  it('refuses a wrong password, an unknown email, a duplicate email and a short password', async () => {
    const c = new ApiClient(hub.url);
    const s = await c.signup(`d${randomSuffix()}`);
    expect((await c.post<Err>('/auth/login', { email: s.email, password: 'wrong password!' })).body.error.code).toBe('UNAUTHORIZED');
    expect((await c.post<Err>('/auth/login', { email: 'nobody@example.com', password: 'whatever123' })).status).toBe(401);
    const dup = await c.post<Err>('/auth/signup', { email: s.email, password: 'another password', name: 'X', vendorName: 'Y' });
    expect(dup.status).toBe(409);
    const short = await c.post<Err>('/auth/signup', { email: 'short@example.com', password: 'short', name: 'X', vendorName: 'Y' });
    expect(short.status).toBe(400);
    expect(short.body.error.message).toContain('password');
  });

  it('rate-limits repeated failed logins with Retry-After', async () => {
    const c = new ApiClient(hub.url);
    const s = await c.signup(`e${randomSuffix()}`);
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await c.post('/auth/login', { email: s.email, password: `wrong-${i}-password` })).status);
    expect(statuses.slice(0, 10).every((st) => st === 401)).toBe(true);
    const limited = await c.post<Err>('/auth/login', { email: s.email, password: s.password });
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('does not let a client pick its own IP with X-Forwarded-For (no proxy trusted by default)', async () => {
    const c = new ApiClient(hub.url);
    const s = await c.signup(`f${randomSuffix()}`);
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      statuses.push((await c.call('POST', '/auth/login', { email: s.email, password: `nope-${i}-password` }, { 'x-forwarded-for': `6.6.6.${i}` })).status);
    }
    expect(statuses.at(-1)).toBe(429);
  });

  it('refuses unauthenticated and cross-origin cookie writes', async () => {
    const anon = new ApiClient(hub.url);
    expect((await anon.get<Err>('/applications')).status).toBe(401);
    const cross = await a.call<Err>('POST', '/customers', { name: 'Evil' }, { origin: 'https://evil.example' });
    expect(cross.status).toBe(403);
  });
});

describe('applications and versions', () => {
  it('creates, lists with pagination, updates and reads', async () => {
    const names = ['alpha', 'beta', 'gamma'].map((n) => `${n}-${randomSuffix()}`);
    for (const name of names) expect((await a.post('/applications', { name, kind: 'compose' })).status).toBe(201);
    const page1 = await a.get<{ items: { name: string }[]; nextCursor: string }>('/applications?limit=2');
    expect(page1.body.items).toHaveLength(2);
    expect(page1.body.nextCursor).toBeTruthy();
    const page2 = await a.get<{ items: { name: string }[]; nextCursor: string | null }>(`/applications?limit=2&cursor=${page1.body.nextCursor}`);
    const all = [...page1.body.items, ...page2.body.items].map((i) => i.name);
    for (const n of names) expect(all).toContain(n);
    expect((await a.get<Err>('/applications?cursor=garbage')).body.error.code).toBe('VALIDATION_FAILED');
  });

  it('validates compose files at version creation with a message that says what is wrong', async () => {
    const app = await a.post<{ id: string }>('/applications', { name: `web-${randomSuffix()}`, kind: 'compose' });
    const bad = await a.post<Err>(`/applications/${app.body.id}/versions`, { version: '1.0.0', compose: { file: 'services:\n  web:\n    ports: ["80:80"]\n' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    expect(bad.body.error.message).toBe('Invalid compose version: Compose file, line 2: service "web" has no image');
    expect(bad.body.error.details).toEqual({ issues: [{ path: 'compose.file', message: 'service "web" has no image', line: 2, column: 3 }] });
    const yaml = await a.post<Err & { error: { details: { issues: { path: string; line?: number }[] } } }>(`/applications/${app.body.id}/versions`, { version: '1.0.0', compose: { file: 'name: x\nservices: [' } });
    expect(yaml.body.error.message).toMatch(/^Invalid compose version: Compose file, line 2: not valid YAML: /);
    expect(yaml.body.error.details.issues.map((i) => [i.path, i.line])).toEqual([['compose.file', 2]]);
    const env = await a.post<Err>(`/applications/${app.body.id}/versions`, { version: '1.0.0', compose: { file: COMPOSE_V1, env: 'A=1\noops' } });
    expect(env.body.error.message).toBe('Invalid compose version: Env file, line 2: not KEY=value: "oops"');
    const helmApp = await a.post<{ id: string }>('/applications', { name: `chart-${randomSuffix()}`, kind: 'helm' });
    const values = await a.post<Err & { error: { details: unknown } }>(`/applications/${helmApp.body.id}/versions`, { version: '1.0.0', helm: { chart: 'api', repo: 'https://charts.example.com', chartVersion: 'one', values: 'a: 1\na: 2\n' } });
    expect(values.body.error.message).toBe('Invalid helm version: Chart version: chartVersion "one" is not a semantic version; Values, line 2: not valid YAML: Map keys must be unique');
    expect(values.body.error.details).toEqual({
      issues: [
        { path: 'helm.chartVersion', message: 'chartVersion "one" is not a semantic version' },
        { path: 'helm.values', message: 'not valid YAML: Map keys must be unique', line: 2, column: 1 },
      ],
    });

    const ok = await a.post<{ id: string; version: string; compose: { file: string } }>(`/applications/${app.body.id}/versions`, { version: '1.0.0', compose: { file: COMPOSE_V1, env: 'GREETING=hi' } });
    expect(ok.status).toBe(201);
    expect(ok.body.compose.file).toBe(COMPOSE_V1);
    const dup = await a.post<Err>(`/applications/${app.body.id}/versions`, { version: '1.0.0', compose: { file: COMPOSE_V1 } });
    expect(dup.status).toBe(409);
    expect((await a.get(`/applications/${app.body.id}/versions/${ok.body.id}`)).status).toBe(200);
  });

  it('hides one vendor’s resources from another (404, never 403)', async () => {
    const app = await a.post<{ id: string }>('/applications', { name: `secret-${randomSuffix()}`, kind: 'compose' });
    const customer = await a.post<{ id: string }>('/customers', { name: `Cust ${randomSuffix()}` });
    expect((await b.get<Err>(`/applications/${app.body.id}`)).status).toBe(404);
    expect((await b.call<Err>('PATCH', `/applications/${app.body.id}`, { name: 'stolen' })).status).toBe(404);
    expect((await b.call<Err>('DELETE', `/customers/${customer.body.id}`)).status).toBe(404);
    expect((await b.post<Err>('/installations', { customerId: customer.body.id, name: 'x', environment: 'prod', agentKind: 'compose' })).status).toBe(400);
    expect((await b.get<Err>('/applications/not-a-uuid')).status).toBe(404);
    expect((await a.get(`/applications/${app.body.id}`)).status).toBe(200);
  });
});

describe('customers and installations', () => {
  it('creates an installation with status and refuses deleting a customer that has one', async () => {
    const customer = await a.post<{ id: string; name: string }>('/customers', { name: `Acme ${randomSuffix()}` });
    const inst = await a.post<{ id: string; customerName: string; status: { online: boolean; health: string; desiredRevision: number }; uptime24h: number | null }>('/installations', {
      customerId: customer.body.id,
      name: 'main',
      environment: 'production',
      agentKind: 'compose',
    });
    expect(inst.status).toBe(201);
    expect(inst.body.customerName).toBe(customer.body.name);
    expect(inst.body.status).toMatchObject({ online: false, health: 'unknown', desiredRevision: 0 });
    expect(inst.body.uptime24h).toBeNull();
    const dup = await a.post<Err>('/installations', { customerId: customer.body.id, name: 'main', environment: 'production', agentKind: 'compose' });
    expect(dup.status).toBe(409);
    expect((await a.call<Err>('DELETE', `/customers/${customer.body.id}`)).status).toBe(409);
    expect((await a.call('DELETE', `/installations/${inst.body.id}`)).status).toBe(204);
    expect((await a.call('DELETE', `/customers/${customer.body.id}`)).status).toBe(204);
  });

  it('refuses a deploy of an unknown version with VALIDATION_FAILED', async () => {
    const customer = await a.post<{ id: string }>('/customers', { name: `Beta ${randomSuffix()}` });
    const inst = await a.post<{ id: string }>('/installations', { customerId: customer.body.id, name: 'x', environment: 'qa', agentKind: 'compose' });
    const res = await a.post<Err>(`/installations/${inst.body.id}/deploy`, { versionId: '00000000-0000-4000-8000-000000000000' });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('versionId');
    expect((await a.post<Err>(`/installations/${inst.body.id}/deploy`, {})).status).toBe(400);
  });
});

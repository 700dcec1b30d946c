import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, randomSuffix, startTestHub, type TestDatabase, type TestHub } from './helpers.js';
import { PASSWORD, Session, auditRows, dropped, expectEveryCallAudited, join, live, refusedCode, type Err, type TrackedCall } from './identity-helpers.js';

// Passwords, sessions, API tokens, CSRF and sign-up switch of the identity layer, over a real hub.
const PUBLIC_URL = 'http://hub.test:8080';
const journal: TrackedCall[] = [];
let tdb: TestDatabase;
let hub: TestHub;
let admin: Session;
let other: Session;
const admins: Session[] = [];

type SessionItem = { id: string; current: boolean; ip: string | null; userAgent: string | null };
type Created = { id: string; token: string; role: string; prefix: string };

beforeAll(async () => {
  tdb = await createTestDatabase();
  hub = await startTestHub({ databaseUrl: tdb.url, publicUrl: PUBLIC_URL });
  admin = new Session(hub.url, journal);
  other = new Session(hub.url, journal);
  await admin.signup(`a${randomSuffix()}`);
  await other.signup(`b${randomSuffix()}`);
  admins.push(admin, other);
});

afterAll(async () => {
  await hub?.close();
  await tdb?.drop();
});

async function login(who: Session, extra: Record<string, string> = {}): Promise<Session> {
  const s = new Session(hub.url, journal);
  s.vendorId = who.vendorId;
  const res = await s.call('POST', '/auth/login', { email: who.email, password: PASSWORD }, extra);
  expect(res.status).toBe(200);
  return s;
}

async function createToken(s: Session, body: Record<string, unknown> = {}): Promise<Created> {
  const res = await s.post<Created>('/tokens', { name: `t-${randomSuffix()}`, ...body });
  expect(res.status).toBe(201);
  return res.body;
}

async function currentSessionId(s: Session): Promise<string> {
  const res = await s.get<{ items: SessionItem[] }>('/sessions');
  expect(res.status).toBe(200);
  const current = res.body.items.filter((i) => i.current);
  expect(current).toHaveLength(1);
  return current[0]!.id;
}

describe('passwords', () => {
  it('refuses a wrong password with 401 UNAUTHORIZED and stores scrypt hashes with a per-user salt', async () => {
    const wrong = await new Session(hub.url, journal).post<Err>('/auth/login', { email: admin.email, password: `${PASSWORD}!` });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('UNAUTHORIZED');
    expect(wrong.headers.get('set-cookie')).toBeNull();

    // admin and other signed up with the same password
    const rows: { email: string; password_hash: string }[] = await hub.infra.db('users').whereIn('email', [admin.email, other.email]).select('email', 'password_hash');
    expect(rows).toHaveLength(2);
    const [h1, h2] = rows.map((r) => r.password_hash) as [string, string];
    for (const h of [h1, h2]) {
      expect(h).toMatch(/^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{86}$/);
      expect(h).not.toContain(PASSWORD);
    }
    expect(h1).not.toBe(h2);
    expect(h1.split('$')[4]).not.toBe(h2.split('$')[4]); // different salts
    expect(Number(h1.split('$')[1])).toBeGreaterThanOrEqual(2 ** 14);
  });

  it('rate-limits a brute force on one account with RATE_LIMITED and Retry-After, even for the right password', async () => {
    const victim = await join(admin, 'viewer');
    const attacker = new Session(hub.url, journal);
    for (let i = 0; i < 10; i++) {
      const res = await attacker.post<Err>('/auth/login', { email: victim.email, password: `guess-number-${i}` });
      expect(res.status).toBe(401);
    }
    const limited = await attacker.post<Err>('/auth/login', { email: victim.email, password: 'guess-number-10' });
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('RATE_LIMITED');
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(900);
    const right = await attacker.post<Err>('/auth/login', { email: victim.email, password: PASSWORD });
    expect(right.status).toBe(429);
    expect(right.body.error.code).toBe('RATE_LIMITED');
    // the lock is per account: others sign in from the same address, and the victim's session still works
    await login(other);
    expect((await victim.get('/me')).status).toBe(200);
  });
});

describe('sessions', () => {
  it('lists sessions with the current one, revokes another own session (its cookie then gets 401)', async () => {
    const second = await login(admin);
    const firstId = await currentSessionId(admin);
    const secondId = await currentSessionId(second);
    expect(secondId).not.toBe(firstId);
    const list = await admin.get<{ items: SessionItem[] }>('/sessions');
    expect(list.body.items.map((i) => i.id)).toEqual(expect.arrayContaining([firstId, secondId]));
    expect(list.body.items.find((i) => i.id === firstId)).toMatchObject({ current: true, ip: '127.0.0.1' });
    expect(list.body.items.find((i) => i.id === secondId)?.current).toBe(false);

    expect((await admin.call('DELETE', `/sessions/${secondId}`)).status).toBe(204);
    const revoked = await second.get<Err>('/me');
    expect(revoked.status).toBe(401);
    expect(revoked.body.error.code).toBe('UNAUTHORIZED');
    expect((await admin.get('/me')).status).toBe(200);
    expect((await admin.get<{ items: SessionItem[] }>('/sessions')).body.items.map((i) => i.id)).not.toContain(secondId);
    expect((await admin.call<Err>('DELETE', `/sessions/${secondId}`)).status).toBe(404);
  });

  it("answers 404 for another user's session and leaves it alive", async () => {
    const theirs = await currentSessionId(other);
    const res = await admin.call<Err>('DELETE', `/sessions/${theirs}`);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
    expect((await admin.call<Err>('DELETE', '/sessions/not-a-session')).status).toBe(404);
    expect((await other.get('/me')).status).toBe(200);
  });

  it('drops the live socket of a revoked session and of a logged-out session at once', async () => {
    const revokedOne = await login(admin);
    const loggedOut = await login(admin);
    const sockRevoked = await live(hub.url, { cookie: revokedOne.sessionCookie! });
    const sockLoggedOut = await live(hub.url, { cookie: loggedOut.sessionCookie! });
    const bystander = await live(hub.url, { cookie: admin.sessionCookie! });
    try {
      const d1 = dropped(sockRevoked);
      expect((await admin.call('DELETE', `/sessions/${await currentSessionId(revokedOne)}`)).status).toBe(204);
      expect(await d1.within(2000)).toBe('io server disconnect');

      const d2 = dropped(sockLoggedOut);
      const oldCookie = loggedOut.sessionCookie!;
      expect((await loggedOut.post('/auth/logout')).status).toBe(204);
      expect(await d2.within(2000)).toBe('io server disconnect');

      expect((await admin.get('/me')).status).toBe(200);
      expect(bystander.connected).toBe(true);
      expect(await refusedCode(live(hub.url, { cookie: revokedOne.sessionCookie! }))).toBe('UNAUTHORIZED');
      expect(await refusedCode(live(hub.url, { cookie: oldCookie }))).toBe('UNAUTHORIZED');
    } finally {
      for (const s of [sockRevoked, sockLoggedOut, bystander]) s.close();
    }
  });
});

describe('API tokens', () => {
  it('creates a flt_ token shown once and accepts it as a Bearer token on REST', async () => {
    const t = await createToken(admin);
    expect(t.token).toMatch(/^flt_[A-Za-z0-9_-]{20,}$/);
    expect(t.role).toBe('admin');
    expect(t.prefix).toBe(t.token.slice(0, 8));
    const list = await admin.get<{ items: Record<string, unknown>[] }>('/tokens');
    const listed = list.body.items.find((i) => i.id === t.id);
    expect(listed).toMatchObject({ id: t.id, prefix: t.prefix, role: 'admin', vendorId: admin.vendorId });
    expect(listed).not.toHaveProperty('token');
    expect(JSON.stringify(list.body)).not.toContain(t.token);

    const bot = admin.bearer(t.token);
    const me = await bot.get<{ user: { email: string }; memberships: { role: string }[] }>('/me');
    expect(me.status).toBe(200);
    expect(me.body.user.email).toBe(admin.email);
    const customer = await bot.post<{ id: string }>('/customers', { name: `Via token ${randomSuffix()}` });
    expect(customer.status).toBe(201);
    const [row] = await auditRows(admin, `targetId=${customer.body.id}`);
    expect(row).toMatchObject({ action: 'customer.create', actor: { userId: admin.userId, tokenId: t.id, email: admin.email } });
  });

  it("caps a token at its role, and never above its owner's role", async () => {
    const viewerToken = await createToken(admin, { role: 'viewer' });
    const viewerBot = admin.bearer(viewerToken.token);
    expect((await viewerBot.get('/customers')).status).toBe(200);
    const refused = await viewerBot.post<Err>('/customers', { name: 'Nope' });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('FORBIDDEN');
    expect((await viewerBot.get<{ memberships: { role: string }[] }>('/me')).body.memberships).toEqual([expect.objectContaining({ role: 'viewer' })]);

    const rm = await join(admin, 'release-manager');
    const above = await rm.post<Err>('/tokens', { name: 'too much', role: 'admin' });
    expect(above.status).toBe(403);
    expect(above.body.error.code).toBe('FORBIDDEN');
    const rmToken = await createToken(rm);
    expect(rmToken.role).toBe('release-manager');
    const rmBot = rm.bearer(rmToken.token);
    expect((await rmBot.post('/applications', { name: `app-${randomSuffix()}`, kind: 'compose' })).status).toBe(201);
    expect((await rmBot.post<Err>('/customers', { name: 'Nope' })).status).toBe(403);
  });

  it('refuses an expired token, a malformed Authorization header and an unknown token with 401', async () => {
    const t = await createToken(admin, { expiresInDays: 1 });
    expect((await admin.bearer(t.token).get('/me')).status).toBe(200);
    await hub.infra.db('api_tokens').where({ id: t.id }).update({ expires_at: new Date(Date.now() - 60_000) });
    const expired = await admin.bearer(t.token).get<Err>('/me');
    expect(expired.status).toBe(401);
    expect(expired.body.error.code).toBe('UNAUTHORIZED');

    const anon = new Session(hub.url, journal);
    for (const authorization of ['Basic YWRtaW46YWRtaW4=', 'Bearer', 'Bearer ', `Bearer ${t.token} extra`, `Token ${t.token}`, `Bearer flt_${'x'.repeat(43)}`]) {
      const res = await anon.call<Err>('GET', '/me', undefined, { authorization });
      expect(res.status, authorization).toBe(401);
      expect(res.body.error.code).toBe('UNAUTHORIZED');
    }
    // a bad Authorization header is refused even next to a valid session cookie
    expect((await admin.call<Err>('GET', '/me', undefined, { authorization: 'Bearer nonsense' })).status).toBe(401);
  });

  it('revoking a token answers 401 on REST and drops its live socket at once', async () => {
    const t = await createToken(admin);
    const sock = await live(hub.url, { token: t.token });
    try {
      const d = dropped(sock);
      expect((await admin.call('DELETE', `/tokens/${t.id}`)).status).toBe(204);
      expect(await d.within(2000)).toBe('io server disconnect');
      const res = await admin.bearer(t.token).get<Err>('/me');
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('UNAUTHORIZED');
      expect(await refusedCode(live(hub.url, { token: t.token }))).toBe('UNAUTHORIZED');
      expect((await admin.get<{ items: { id: string }[] }>('/tokens')).body.items.map((i) => i.id)).not.toContain(t.id);
      expect((await admin.call<Err>('DELETE', `/tokens/${t.id}`)).status).toBe(404);
    } finally {
      sock.close();
    }
    const theirs = await createToken(other);
    expect((await admin.call<Err>('DELETE', `/tokens/${theirs.id}`)).status).toBe(404);
    expect((await other.bearer(theirs.token).get('/me')).status).toBe(200);
  });

  it('a token cannot create tokens', async () => {
    const t = await createToken(admin);
    const res = await admin.bearer(t.token).post<Err>('/tokens', { name: 'child' });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('FORBIDDEN');
    expect((await admin.get<{ items: { name: string }[] }>('/tokens')).body.items.map((i) => i.name)).not.toContain('child');
  });

  it('the token of a removed member stops working', async () => {
    const member = await join(admin, 'release-manager');
    const t = await createToken(member);
    const bot = member.bearer(t.token);
    expect((await bot.get('/applications')).status).toBe(200);
    expect((await admin.call('DELETE', `/users/${member.userId}`)).status).toBe(204);
    const res = await bot.get<Err>('/applications');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHORIZED');
    const row: { revoked_at: Date | null } = await hub.infra.db('api_tokens').where({ id: t.id }).first('revoked_at');
    expect(row.revoked_at).toBeInstanceOf(Date);
  });
});

describe('CSRF', () => {
  it('refuses cookie-authenticated writes from a foreign Origin with 403, allows our own', async () => {
    const before = (await admin.get<{ items: { name: string }[] }>('/customers?limit=100')).body.items.length;
    for (const origin of ['https://evil.example', 'null', 'http://hub.test:8081', 'https://hub.test:8080']) {
      const res = await admin.call<Err>('POST', '/customers', { name: `csrf ${origin}` }, { origin });
      expect(res.status, origin).toBe(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
    }
    expect((await admin.call<Err>('POST', '/auth/logout', undefined, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await admin.get('/me')).status).toBe(200);
    expect((await admin.get<{ items: unknown[] }>('/customers?limit=100')).body.items).toHaveLength(before);

    expect((await admin.call('POST', '/customers', { name: `same origin ${randomSuffix()}` }, { origin: PUBLIC_URL })).status).toBe(201);
  });

  it('lets a Bearer token (no cookie) write with any Origin', async () => {
    const t = await createToken(admin);
    const res = await admin.bearer(t.token).call('POST', '/customers', { name: `bearer ${randomSuffix()}` }, { origin: 'https://evil.example' });
    expect(res.status).toBe(201);
  });
});

describe('sign-up switch', () => {
  it('refuses POST /auth/signup with 403 FORBIDDEN when sign-up is disabled, while login still works', async () => {
    const closed = await startTestHub({ databaseUrl: tdb.url, publicUrl: PUBLIC_URL, signupEnabled: false });
    try {
      const email = `late-${randomSuffix()}@example.com`;
      const res = await new Session(closed.url, journal).post<Err>('/auth/signup', { email, password: PASSWORD, name: 'Late', vendorName: 'Late Vendor' });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
      expect(res.headers.get('set-cookie')).toBeNull();
      expect(await hub.infra.db('users').where({ email }).first()).toBeUndefined();
      const s = new Session(closed.url, journal);
      s.vendorId = admin.vendorId;
      expect((await s.post('/auth/login', { email: admin.email, password: PASSWORD })).status).toBe(200);
    } finally {
      await closed.close();
    }
    // the first hub still allows it
    const open = new Session(hub.url, journal);
    await open.signup(`c${randomSuffix()}`);
    admins.push(open);
  });
});

describe('audit', () => {
  it('every successful state-changing call above left its audit row (actor, vendor, target, IP)', async () => {
    expect(journal.length).toBeGreaterThan(20);
    await expectEveryCallAudited(journal, admins);
  });
});

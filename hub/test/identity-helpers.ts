import type { AuditRecord } from '@flotilla/protocol';
import { expect } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import type { LiveClientToServerEvents, LiveServerToClientEvents } from '@flotilla/protocol';
import { ROUTES } from '../src/http/route-access.js';
import { ApiClient } from './api-client.js';
import { randomSuffix } from './helpers.js';

export type Err = { error: { code: string; message: string } };
export type LiveSocket = Socket<LiveServerToClientEvents, LiveClientToServerEvents>;
export const PASSWORD = 'correct horse battery staple';
/** The address a test client connects from (the hub listens on 127.0.0.1). */
const CLIENT_IP = '127.0.0.1';

/** One successful state-changing call, and the audit row it must have left. */
export interface TrackedCall {
  call: string;
  action: string | undefined;
  vendorId: string;
  email: string;
  targetId: string | null;
  ip: string;
}

const MATCHERS = Object.entries(ROUTES).map(([key, rule]) => {
  const [method, pattern] = key.split(' ') as [string, string];
  return { key, method, re: new RegExp(`^${pattern.replace(/:(\w+)/g, '(?<$1>[^/]+)')}$`), audit: 'audit' in rule ? rule.audit : undefined };
});

/** The role-matrix entry a request hits, with its path parameters. */
export function routeOf(method: string, path: string): { key: string; audit: string | undefined; params: Record<string, string> } | undefined {
  const bare = path.split('?')[0] ?? path;
  for (const m of MATCHERS) {
    const match = m.method === method ? m.re.exec(bare) : null;
    if (match) return { key: m.key, audit: m.audit, params: { ...match.groups } };
  }
  return undefined;
}

type AnyBody = { id?: string; user?: { id: string; email: string }; vendor?: { id: string }; memberships?: { vendorId: string }[] } | undefined;

/**
 * A signed-in user (cookie, or a Bearer token via `headers`) that journals every successful
 * state-changing call, so a test can check at the end that each one left its audit row.
 */
export class Session extends ApiClient {
  email = '';
  userId = '';
  vendorId = '';
  headers: Record<string, string> = {};

  constructor(
    base: string,
    readonly journal: TrackedCall[],
  ) {
    super(base);
  }

  /** A client acting with an API token of this user (no cookie). */
  bearer(token: string): Session {
    const s = new Session(this.base, this.journal);
    Object.assign(s, { email: this.email, userId: this.userId, vendorId: this.vendorId, headers: { authorization: `Bearer ${token}` } });
    return s;
  }

  override async call<T = Record<string, unknown>>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const all = { ...this.headers, ...headers };
    const res = await super.call<T>(method, path, body, all);
    if (method !== 'GET' && res.status < 400) this.track(method, path, res.body as AnyBody, all);
    return res;
  }

  override async signup(suffix: string) {
    const s = await super.signup(suffix);
    Object.assign(this, { email: s.email, userId: s.userId, vendorId: s.vendorId });
    return s;
  }

  private track(method: string, path: string, body: AnyBody, headers: Record<string, string>): void {
    const route = routeOf(method, path);
    if (!route) throw new Error(`${method} ${path} succeeded but is not in the role matrix`);
    if (body?.user) Object.assign(this, { email: body.user.email, userId: body.user.id });
    if (body?.vendor) this.vendorId = body.vendor.id;
    if (!this.vendorId && body?.memberships?.[0]) this.vendorId = body.memberships[0].vendorId;
    // Nested routes' `:id` is the parent: the target is the created child or the nested parameter.
    const nested = route.audit === 'version.create' || route.audit === 'release.create' ? body?.id : (route.params.vid ?? route.params.installationId);
    const targetId = nested ?? route.params.id ?? body?.vendor?.id ?? body?.user?.id ?? body?.id ?? null;
    const ip = headers['x-forwarded-for']?.split(',')[0]?.trim() ?? CLIENT_IP;
    this.journal.push({ call: `${route.key} (${path})`, action: route.audit, vendorId: this.vendorId, email: this.email, targetId, ip });
  }
}

export type AuditRow = AuditRecord;

/** Every audit row a vendor admin can see for a query, following `nextBefore`. */
export async function auditRows(reader: ApiClient, query = '', pageSize = 500): Promise<AuditRow[]> {
  const rows: AuditRow[] = [];
  let before: string | null = null;
  do {
    const qs = new URLSearchParams(query);
    qs.set('limit', String(pageSize));
    if (before) qs.set('before', before);
    const res = await reader.get<{ items: AuditRow[]; nextBefore: string | null }>(`/audit?${qs.toString()}`);
    expect(res.status).toBe(200);
    rows.push(...res.body.items);
    before = res.body.nextBefore;
  } while (before);
  return rows;
}

/** Each journalled call has its own audit row (action, actor email, vendor, target, IP). */
export async function expectEveryCallAudited(journal: TrackedCall[], admins: Session[]): Promise<void> {
  expect(journal.filter((c) => !c.action).map((c) => c.call)).toEqual([]);
  const readers = new Map(admins.map((a) => [a.vendorId, a]));
  expect(journal.filter((c) => !readers.has(c.vendorId)).map((c) => c.call)).toEqual([]);
  const missing: string[] = [];
  for (const [vendorId, reader] of readers) {
    const rows = await auditRows(reader);
    expect(rows.every((r) => r.vendorId === vendorId)).toBe(true);
    for (const c of journal.filter((x) => x.vendorId === vendorId)) {
      const i = rows.findIndex((r) => r.action === c.action && r.actor.email === c.email && r.target.id === c.targetId && r.ip === c.ip);
      if (i < 0) missing.push(`${c.call} by ${c.email}: no ${c.action} row for target ${c.targetId}`);
      else rows.splice(i, 1);
    }
  }
  expect(missing).toEqual([]);
}

export async function inviteTo(admin: Session, role: string, customerId?: string): Promise<{ id: string; token: string; email: string; customerId: string | null }> {
  const email = `${role}-${randomSuffix()}@example.com`;
  const res = await admin.post<{ id: string; inviteUrl: string; customerId: string | null } & Err>('/invites', { email, role, ...(customerId ? { customerId } : {}) });
  if (res.status !== 201) throw new Error(`invite failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.id, token: res.body.inviteUrl.split('/').at(-1) ?? '', email, customerId: res.body.customerId };
}

/** Invites a new user and accepts for them: a signed-in Session of the new member. */
export async function join(admin: Session, role: string, customerId?: string): Promise<Session> {
  const invite = await inviteTo(admin, role, customerId);
  const s = new Session(admin.base, admin.journal);
  s.vendorId = admin.vendorId;
  const res = await s.post(`/invites/${invite.token}/accept`, { name: `New ${role}`, password: PASSWORD });
  if (res.status !== 200) throw new Error(`accept failed: ${res.status} ${JSON.stringify(res.body)}`);
  return s;
}

/** A `/live` socket with a session cookie or an API token; rejects with the connect error. */
export function live(url: string, auth: { cookie?: string; token?: string }): Promise<LiveSocket> {
  const s: LiveSocket = connect(`${url}/live`, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    ...(auth.cookie ? { extraHeaders: { cookie: auth.cookie } } : {}),
    ...(auth.token ? { auth: { token: auth.token } } : {}),
  });
  return new Promise((resolve, reject) => {
    s.once('connect', () => resolve(s));
    s.once('connect_error', (err) => {
      s.close();
      reject(err);
    });
  });
}

/** The code a refused `/live` connection carries. */
export async function refusedCode(p: Promise<LiveSocket>): Promise<string | undefined> {
  return p.then(
    (s) => {
      s.close();
      return 'connected';
    },
    (e: { data?: { code: string } }) => e.data?.code,
  );
}

/** Arm before revoking: `within(ms)` resolves with the disconnect reason, or fails after `ms`. */
export function dropped(s: LiveSocket): { within(ms: number): Promise<string> } {
  const reason = new Promise<string>((r) => s.once('disconnect', (why) => r(why)));
  return {
    within: (ms) =>
      Promise.race([reason, new Promise<string>((_, reject) => setTimeout(() => reject(new Error(`socket still connected ${ms} ms after the revocation`)), ms).unref())]),
  };
}

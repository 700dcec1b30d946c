import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { z } from 'zod';
import { io as connect } from 'socket.io-client';
import * as P from '@flotilla/protocol';
import { ROUTES } from '../src/http/route-access.js';
import { ApiClient, COMPOSE_V1 } from './api-client.js';
import { createTestDatabase, randomSuffix, startTestHub, type TestDatabase, type TestHub } from './helpers.js';
import { HOSTILE_STRINGS } from './hostile-inputs.js';
import { connectAgent, host, type AgentSocket } from './sim-agent.js';
import { arbitraryOf, hostileValue, type ArbitraryOptions } from './fuzz/schema-arbitrary.js';

/**
 * Property-based fuzzing against a real hub: REST bodies, query strings and path parameters of
 * every route, HTTP polling payloads and agent socket events, generated from the protocol's schemas
 * with hostile values mixed in. Whatever comes in, the hub answers 2xx/3xx/4xx with the error
 * catalogue's shape, never a 5xx, and never drops an agent or crashes. Bounded in time for CI;
 * `FUZZ_SEED` replays a run, `FUZZ_SECONDS` runs longer.
 */
type RouteKey = keyof typeof ROUTES;
const SECONDS = Number(process.env.FUZZ_SECONDS ?? 45);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
const ErrorShape = P.ErrorBody.strict();
/** The case counts CI prints (and, with FUZZ_VERBOSE, every case). */
const report = (line: string) => process.stdout.write(`${line}\n`);

/** The schemas each route parses: the protocol's route contract (routes without one get hostile bodies and queries). */
const INPUTS: Partial<Record<RouteKey, { operationId: string; body?: z.ZodType; query?: z.ZodType }>> = P.API;

/** Routes whose real targets the fuzz must not destroy (the session it runs in, its fixtures): random ids only. */
const NO_FIXTURE_IDS = (key: RouteKey) => key.startsWith('DELETE') || /\/(users|sessions|tokens|invites)\//.test(key) || key.endsWith('/agent-credentials');
/** Public routes the fuzz calls without the admin's cookie (logout would end the session it runs in). */
const ANONYMOUS = new Set<RouteKey>(['POST /auth/signup', 'POST /auth/login', 'POST /auth/logout', 'POST /invites/:token/accept', 'GET /agent/install/:token']);

let tdb: TestDatabase;
let hub: TestHub;
let admin: ApiClient;
let fixtures: Record<string, string[]>;
let pollCreds: P.AgentCredentials;
let socketCreds: P.AgentCredentials;
let options: ArbitraryOptions;

beforeAll(async () => {
  tdb = await createTestDatabase();
  hub = await startTestHub({ databaseUrl: tdb.url });
  admin = new ApiClient(hub.url);
  await admin.signup(randomSuffix());
  const id = async (path: string, body: unknown) => {
    const res = await admin.post<{ id: string }>(path, body);
    if (res.status !== 201) throw new Error(`fixture ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id;
  };
  const app = await id('/applications', { name: 'Web', kind: 'compose' });
  const helmApp = await id('/applications', { name: 'Chart', kind: 'helm' });
  const version = await id(`/applications/${app}/versions`, { version: '1.0.0', compose: { file: COMPOSE_V1 } });
  const helmVersion = await id(`/applications/${helmApp}/versions`, { version: '1.0.0', helm: { chart: 'chart', repo: 'https://charts.example.com', chartVersion: '1.0.0', values: 'a: 1\n' } });
  const customer = await id('/customers', { name: 'Acme' });
  const track = await id('/tracks', { name: 'Shop', applicationIds: [app] });
  const release = await id(`/tracks/${track}/releases`, { version: '1.0.0', stages: [[{ applicationId: app, versionId: version }]] });
  await admin.post(`/releases/${release}/lock`);
  const installation = await id('/installations', { customerId: customer, name: 'main', environment: 'production', agentKind: 'compose', trackId: track });
  const helmInstallation = await id('/installations', { customerId: customer, name: 'helm', environment: 'production', agentKind: 'helm' });
  const entitlement = await id('/entitlements', { customerId: customer, trackId: track });
  const rollout = await id('/rollouts', { releaseId: release, targets: { installationIds: [installation] } });
  // The agents the fuzz speaks for live on installations it never targets by id (a credential rotation would cut them off).
  const agentOn = async (name: string) => {
    const installationId = await id('/installations', { customerId: customer, name, environment: 'production', agentKind: 'compose' });
    return (await admin.post<P.AgentCredentials>(`/installations/${installationId}/agent-credentials`)).body;
  };
  [pollCreds, socketCreds] = await Promise.all([agentOn('poll'), agentOn('socket')]);
  // `.invalid` never resolves: whatever the fuzz makes of it, no request leaves the machine.
  const webhook = await id('/webhooks', { url: 'https://hooks.example.invalid/fuzz' });
  fixtures = {
    webhooks: [webhook],
    applications: [app, helmApp],
    versions: [version, helmVersion],
    customers: [customer],
    installations: [installation, helmInstallation],
    tracks: [track],
    releases: [release],
    entitlements: [entitlement],
    rollouts: [rollout],
  };
  options = { uuids: Object.values(fixtures).flat(), hostileOneIn: 8 };
});

afterAll(async () => {
  await hub?.close();
  await tdb?.drop();
});

/** Ids for a path parameter: the route's real resources, random uuids, and hostile segments. */
function paramArbitrary(key: RouteKey, path: string, name: string): fc.Arbitrary<string> {
  const resource = name === 'vid' ? 'versions' : name === 'installationId' ? 'installations' : (path.split('/')[1] ?? '');
  const real = NO_FIXTURE_IDS(key) ? [] : (fixtures[resource] ?? []);
  // Not empty: '/customers/' is another route (405 for most methods, answered by the router).
  const hostile = fc.oneof(fc.constantFrom(...HOSTILE_STRINGS.filter((s) => s.length > 0 && s.length < 200)).map(percentEncoded), fc.constantFrom('%ED%A0%80', '%C0%AF', '%FF', '%', '%2F', '..'));
  return real.length > 0 ? fc.oneof({ arbitrary: fc.constantFrom(...real), weight: 4 }, fc.uuid(), hostile) : fc.oneof(fc.uuid(), hostile);
}

/** Percent-encodes every byte of the text's UTF-8 (encodeURIComponent throws on a lone surrogate), plus invalid UTF-8 sequences as they are. */
function percentEncoded(text: string): string {
  return [...Buffer.from(text, 'utf8')].map((b) => (/[A-Za-z0-9_.~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, '0').toUpperCase()}`)).join('');
}

/** Node refuses request heads past 16 kB itself (a bodiless 431, before the hub sees anything): values stay under that. */
const MAX_QUERY_VALUE = 2000;

function queryString(value: unknown): string {
  const text = (v: unknown) => (typeof v === 'object' ? JSON.stringify(v) : String(v)).slice(0, MAX_QUERY_VALUE);
  if (value === undefined) return '';
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return `?q=${percentEncoded(text(value))}`;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue;
    for (const item of Array.isArray(v) ? v : [v]) params.append(k, text(item));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

interface FuzzRequest {
  key: RouteKey;
  method: string;
  path: string;
  /** Undefined: no body; a string: sent as is (broken JSON). */
  body: unknown;
  raw: boolean;
}

const requestArbitrary: () => fc.Arbitrary<FuzzRequest> = () =>
  fc.constantFrom(...(Object.keys(ROUTES) as RouteKey[])).chain((key) => {
    const [method, pattern] = key.split(' ') as [string, string];
    const names = [...pattern.matchAll(/:(\w+)/g)].map((m) => m[1] as string);
    const inputs: { body?: z.ZodType; query?: z.ZodType } = INPUTS[key] ?? {};
    const params = fc.tuple(...names.map((n) => paramArbitrary(key, pattern, n)));
    const query = inputs.query ? arbitraryOf(inputs.query, options) : fc.option(hostileValue, { freq: 4, nil: undefined });
    const sendsBody = method !== 'GET' && method !== 'DELETE';
    const body: fc.Arbitrary<Pick<FuzzRequest, 'body' | 'raw'>> = !sendsBody
      ? fc.constant({ body: undefined, raw: false })
      : fc.oneof(
          { arbitrary: (inputs.body ? arbitraryOf(inputs.body, options) : hostileValue).map((v) => ({ body: v, raw: false })), weight: 8 },
          { arbitrary: fc.constantFrom('{"a":', 'not json', '{"name":"\\u0000"}', '{"__proto__":{"x":1}}', '[]').map((v) => ({ body: v, raw: true })), weight: 1 },
        );
    return fc.tuple(params, query, body).map(([values, q, b]) => {
      let i = 0;
      return { key, method, path: `${pattern.replace(/:(\w+)/g, () => values[i++] ?? '')}${queryString(q)}`, ...b };
    });
  });

async function send(r: FuzzRequest): Promise<{ status: number; text: string; type: string | null }> {
  const headers: Record<string, string> = {};
  if (r.key.startsWith('GET /agent/state') || r.key.startsWith('POST /agent/')) {
    headers.authorization = `Basic ${Buffer.from(`${pollCreds.agentId}:${pollCreds.secret}`).toString('base64')}`;
  } else if (!ANONYMOUS.has(r.key) && admin.sessionCookie) headers.cookie = admin.sessionCookie;
  if (r.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${hub.url}/api/v1${r.path}`, {
    method: r.method,
    headers,
    ...(r.body === undefined ? {} : { body: r.raw ? (r.body as string) : JSON.stringify(r.body) }),
  });
  return { status: res.status, text: await res.text(), type: res.headers.get('content-type') };
}

function checkAnswer(r: FuzzRequest, res: { status: number; text: string; type: string | null }): void {
  const what = `${r.method} ${r.path} ${JSON.stringify(r.body)?.slice(0, 300)} → ${res.status} ${res.text.slice(0, 300)}`;
  expect(res.status, what).toBeLessThan(500);
  if (res.status >= 400) {
    expect(res.type, what).toMatch(/application\/json/);
    expect(ErrorShape.safeParse(JSON.parse(res.text)).success, what).toBe(true);
  }
}

describe('fuzzing the hub from its protocol schemas', () => {
  it(
    'answers every generated REST request, query string and HTTP polling payload without a 5xx, in the error shape',
    async () => {
      const statuses = new Map<number, number>();
      let cases = 0;
      await fc.assert(
        fc.asyncProperty(requestArbitrary(), async (r) => {
          const t = Date.now();
          const res = await send(r);
          if (process.env.FUZZ_VERBOSE) report(`${Date.now() - t} ms ${r.method} ${r.path.slice(0, 200)} ${JSON.stringify(r.body)?.slice(0, 200)}`);
          cases++;
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          checkAnswer(r, res);
        }),
        { numRuns: 100_000, interruptAfterTimeLimit: SECONDS * 1000, markInterruptAsFailure: false, endOnFailure: true, ...(SEED === undefined ? {} : { seed: SEED }) },
      );
      const byStatus = [...statuses.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(' ');
      report(`fuzz REST: ${cases} requests over ${Object.keys(ROUTES).length} routes in ${SECONDS} s (${byStatus})`);
      // It ran (how many cases depends on the machine's load), and not only refusals: requests also got through to the handlers.
      expect(cases).toBeGreaterThan(20);
      expect([...statuses.keys()].some((s) => s < 300)).toBe(true);
      expect((await fetch(`${hub.url}/healthz`)).status).toBe(200);
    },
    SECONDS * 1000 + 60_000,
  );

  it(
    'answers every generated agent socket event with an ack in the catalogue and keeps the agent connected',
    async () => {
      const socket: AgentSocket = await connectAgent(hub.url, socketCreds.agentId, socketCreds.secret);
      let disconnected = '';
      socket.on('disconnect', (reason) => (disconnected = reason));
      try {
        await socket.emitWithAck('agent:hello', { host, appliedRevision: 0, components: [] });
        const events = Object.keys(P.agentToHubSchemas) as (keyof typeof P.agentToHubSchemas)[];
        const payload = fc.constantFrom(...events).chain((event) => fc.tuple(fc.constant(event), arbitraryOf(P.agentToHubSchemas[event], options)));
        let cases = 0;
        await fc.assert(
          fc.asyncProperty(payload, async ([event, body]) => {
            cases++;
            const untyped = socket.timeout(30_000) as unknown as { emitWithAck(event: string, payload: unknown): Promise<unknown> };
            const ack = await untyped.emitWithAck(event, body);
            const what = `${event} ${JSON.stringify(body)?.slice(0, 300)} → ${JSON.stringify(ack)?.slice(0, 300)}`;
            const error = P.ErrorAck.safeParse(ack);
            if (error.success) expect(error.data.error.code, what).not.toBe('INTERNAL');
            else expect(ack, what).toBeTypeOf('object');
            expect(disconnected, what).toBe('');
          }),
          { numRuns: 100_000, interruptAfterTimeLimit: (SECONDS / 3) * 1000, markInterruptAsFailure: false, endOnFailure: true, ...(SEED === undefined ? {} : { seed: SEED }) },
        );
        // Events nobody defined, and payloads that are not objects at all: ignored or refused, never a crash.
        for (const value of [undefined, null, 'x', 42, [], HOSTILE_STRINGS[2]]) {
          for (const event of ['agent:hello', 'status:report', 'no:such-event', '__proto__']) (socket.emit as (e: string, v: unknown) => void)(event, value);
        }
        expect(await socket.emitWithAck('status:report', { revision: 0, components: [] })).toEqual({ ok: true });
        report(`fuzz socket: ${cases} agent events in ${Math.round(SECONDS / 3)} s`);
        expect(disconnected).toBe('');
      } finally {
        socket.close();
      }
    },
    SECONDS * 1000 + 60_000,
  );

  it('refuses generated handshakes with a catalogue error, never INTERNAL', async () => {
    let cases = 0;
    await fc.assert(
      fc.asyncProperty(arbitraryOf(P.AgentAuth, options), async (auth) => {
        cases++;
        if (process.env.FUZZ_VERBOSE) report(`auth ${JSON.stringify(auth)?.slice(0, 300)}`);
        const socket = connect(`${hub.url}/agent`, { transports: ['websocket'], reconnection: false, forceNew: true, timeout: 20_000, auth: auth as Record<string, unknown> });
        // A handshake that is not even an object breaks Socket.IO's own protocol: the server closes the connection.
        const outcome = await new Promise<{ code?: string } | 'connected' | 'closed'>((resolve) => {
          socket.once('connect', () => resolve('connected'));
          socket.once('connect_error', (err: Error & { data?: { code?: string } }) => resolve(err.data ?? { code: `no answer: ${err.message}` }));
          socket.io.engine.once('close', () => resolve('closed'));
        });
        socket.close();
        const what = JSON.stringify(auth)?.slice(0, 300);
        expect(outcome, what).not.toBe('connected');
        if (typeof outcome === 'object') expect(P.ErrorCode.options, what).toContain(outcome.code);
        expect(outcome, what).not.toEqual({ code: 'INTERNAL' });
      }),
      { numRuns: 40, endOnFailure: true, ...(SEED === undefined ? {} : { seed: SEED }) },
    );
    report(`fuzz handshake: ${cases} agent handshakes`);
  });
});

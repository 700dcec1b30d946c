import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import { AGENT_HTTP, type AgentCredentials, type InstallationStatus, type LiveClientToServerEvents, type LiveServerToClientEvents } from '@flotilla/protocol';
import { ApiClient } from './api-client.js';
import { Redis } from 'ioredis';
import { REDIS_URL, createTestDatabase, dropRedisPrefix, randomSuffix, startTestHub, waitFor, type TestDatabase, type TestHub } from './helpers.js';
import { connectAgent, host, type AgentSocket } from './sim-agent.js';

// One connection per agent across hub processes; and the sessions a hub process held are closed in
// one statement when it shuts down (or is found dead): installations go offline with one
// `disconnected` event each, unless another session keeps them online.

let tdb: TestDatabase;
let hubA: TestHub;
let hubB: TestHub;
let api: ApiClient;
const prefix = `flotilla_test_${randomSuffix()}`;
const installations: string[] = [];
const creds: AgentCredentials[] = [];
const sockets: AgentSocket[] = [];
let live: Socket<LiveServerToClientEvents, LiveClientToServerEvents>;
const seen = new Map<string, InstallationStatus>();

beforeAll(async () => {
  tdb = await createTestDatabase();
  hubA = await startTestHub({ databaseUrl: tdb.url, redisPrefix: prefix });
  hubB = await startTestHub({ databaseUrl: tdb.url, redisPrefix: prefix });
  api = new ApiClient(hubB.url);
  await api.signup(randomSuffix());
  const customer = await api.post<{ id: string }>('/customers', { name: 'Acme' });
  for (let i = 0; i < 4; i++) {
    const inst = await api.post<{ id: string }>('/installations', { customerId: customer.body.id, name: `site-${i}`, environment: 'production', agentKind: 'compose' });
    installations.push(inst.body.id);
    creds.push((await api.post<AgentCredentials>(`/installations/${inst.body.id}/agent-credentials`)).body);
  }
  live = connect(`${hubB.url}/live`, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { cookie: api.sessionCookie ?? '' } });
  live.on('installation:status', (s) => seen.set(s.installationId, s));
  live.on('installation:statuses', (list) => list.forEach((s) => seen.set(s.installationId, s)));
  await new Promise<void>((resolve, reject) => {
    live.once('connect', () => resolve());
    live.once('connect_error', reject);
  });
});

afterAll(async () => {
  live.close();
  for (const s of sockets) s.close();
  await hubB.close();
  await hubA.close(); // closing twice is a no-op
  await tdb.drop();
  await dropRedisPrefix(prefix);
});

/** What the hub processes published to each other (the Socket.IO adapter's stream), newest first: for a failure's message. */
async function adapterStream(): Promise<string> {
  const redis = new Redis(REDIS_URL);
  try {
    const uids = new Map([[(hubA.app.live.adapter as unknown as { uid: string }).uid, 'A'], [(hubB.app.live.adapter as unknown as { uid: string }).uid, 'B']]);
    const entries = await redis.xrevrange(`${prefix}:socket.io`, '+', '-', 'COUNT', 30);
    const lines = entries.map(([id, fields]) => {
      const f = new Map<string, string>();
      for (let i = 0; i + 1 < fields.length; i += 2) f.set(fields[i] as string, fields[i + 1] as string);
      let what = f.get('data')?.slice(0, 300) ?? '';
      try {
        const data = JSON.parse(f.get('data') ?? 'null') as { packet?: { data?: [string, unknown] }; opts?: { rooms?: string[] } } | null;
        const [event, payload] = data?.packet?.data ?? [];
        const items = (Array.isArray(payload) ? payload : [payload]) as { installationId?: string; online?: boolean }[];
        if (event) what = `${event} → ${(data?.opts?.rooms ?? []).length} rooms: ${items.map((s) => `${s?.installationId?.slice(0, 8)}:${String(s?.online)}`).join(' ')}`;
      } catch {
        // binary (msgpack) payloads are shown as they are
      }
      return `${id} from ${uids.get(f.get('uid') ?? '') ?? f.get('uid')} ${f.get('nsp')} type ${f.get('type')} ${what}`;
    });
    return `adapter stream, newest first:\n${lines.join('\n')}`;
  } catch (err) {
    return `adapter stream unreadable: ${(err as Error).message}`;
  } finally {
    redis.disconnect();
  }
}

const status = async (id: string) => (await api.get<InstallationStatus>(`/installations/${id}/status`)).body;
const events = async (id: string) => (await api.get<{ items: { type: string; message: string | null }[] }>(`/installations/${id}/events?limit=50`)).body.items;

async function online(i: number, hub: TestHub): Promise<void> {
  const c = creds[i] as AgentCredentials;
  const socket = await connectAgent(hub.url, c.agentId, c.secret);
  sockets.push(socket);
  await socket.emitWithAck('agent:hello', { host, appliedRevision: 0, components: [] });
}

const disconnected = (socket: AgentSocket) => new Promise<string>((resolve) => socket.once('disconnect', resolve));

describe('one connection per agent', () => {
  it('drops the older socket of an agent that connects again, on the same hub process or another', async () => {
    const c = creds[0] as AgentCredentials;
    const first = await connectAgent(hubA.url, c.agentId, c.secret);
    const firstGone = disconnected(first);
    const second = await connectAgent(hubA.url, c.agentId, c.secret);
    expect(await firstGone).toBe('io server disconnect');
    // The other process learns of it from the session table, then drops it through the adapter.
    const secondGone = disconnected(second);
    const third = await connectAgent(hubB.url, c.agentId, c.secret);
    expect(await secondGone).toBe('io server disconnect');
    expect(third.connected).toBe(true);
    const ack = await third.emitWithAck('agent:hello', { host, appliedRevision: 0, components: [] });
    expect(ack).not.toHaveProperty('error');
    third.close();
    await waitFor(async () => ((await status(installations[0] as string)).online ? undefined : true), 5000, 'offline after the last socket closed');
  });

  it('keeps one live socket when the same agent connects to two hub processes at the same moment', async () => {
    const c = creds[0] as AgentCredentials;
    for (let round = 0; round < 5; round++) {
      const attempts = await Promise.allSettled([hubA, hubB, hubA, hubB].map((hub) => connectAgent(hub.url, c.agentId, c.secret)));
      const socketsOf = attempts.flatMap((a) => (a.status === 'fulfilled' ? [a.value] : []));
      // Refused handshakes (a newer one won while they were opening) are fine; two live sockets are not.
      await waitFor(() => (socketsOf.filter((s) => s.connected).length === 1 ? true : undefined), 10_000, `round ${round}: one live socket`);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const survivors = socketsOf.filter((s) => s.connected);
      expect(survivors).toHaveLength(1);
      const ack = await (survivors[0] as AgentSocket).emitWithAck('agent:hello', { host, appliedRevision: 0, components: [] });
      expect(ack).not.toHaveProperty('error');
      for (const s of socketsOf) s.close();
      await waitFor(async () => ((await status(installations[0] as string)).online ? undefined : true), 5000, `round ${round}: offline after the last socket closed`);
    }
  });
});

describe('closing a hub process’s sessions in bulk', () => {
  it('takes the sessions of a hub that shuts down offline in one go, live, and leaves the others alone', async () => {
    const [i0, i1, i2, i3] = installations as [string, string, string, string];
    await online(0, hubA);
    await online(1, hubA);
    await online(2, hubA);
    await online(3, hubB);
    // Installation 2 is also polling over HTTP: that session stays open when hub A goes away.
    const c2 = creds[2] as AgentCredentials;
    const poll = await fetch(`${hubB.url}${AGENT_HTTP.state}`, { headers: { authorization: `Basic ${Buffer.from(`${c2.agentId}:${c2.secret}`).toString('base64')}`, [AGENT_HTTP.headers.pollInterval]: '60' } });
    expect(poll.status).toBe(200);
    for (const id of installations) await waitFor(async () => ((await status(id)).online ? true : undefined), 5000, `${id} online`);

    // Each agent of the closing process is told to come back within a window, before its socket closes.
    const onA = sockets.slice(-4, -1);
    const notices = onA.map((socket) => new Promise<{ reconnectWithinMs: number; connected: boolean }>((resolve) => socket.once('hub:restarting', (n) => resolve({ ...n, connected: socket.connected }))));
    await hubA.close();
    for (const notice of await Promise.all(notices)) expect(notice).toEqual({ reconnectWithinMs: 1000, connected: true });

    expect((await status(i0)).online).toBe(false);
    expect((await status(i1)).online).toBe(false);
    expect((await status(i2)).online).toBe(true);
    expect((await status(i3)).online).toBe(true);
    // One `disconnected` event per installation, with the reason; none from the sockets themselves.
    const closed = (await events(i1)).filter((e) => e.type === 'disconnected');
    expect(closed).toEqual([expect.objectContaining({ message: 'hub process shut down' })]);
    // Portal users connected to another hub process see it at once.
    await waitFor(() => (seen.get(i0)?.online === false && seen.get(i1)?.online === false ? true : undefined), 20_000, 'offline statuses live').catch(async (err: unknown) => {
      // Failed under load (1 run in 4 with three busy cores) while hub A's closing Redis dropped these
      // statuses (see quitRedis); should it fail again, say what the portal had instead.
      const shown = [i0, i1].map((id) => `${id.slice(0, 8)}: ${JSON.stringify(seen.get(id) ?? null)}`).join('\n');
      throw new Error(`${(err as Error).message}; live statuses seen:\n${shown}\nlive connected: ${live.connected}\n${await adapterStream()}`, { cause: err });
    });
    expect(seen.get(i3)?.online ?? true).toBe(true);
  });

  it('closes the sessions of a hub found dead, with their own reason', async () => {
    const [, , , i3] = installations as [string, string, string, string];
    await hubB.app.services.agentSessions.closeSessionsOfDeadNodes([hubB.app.nodeId]);
    expect((await status(i3)).online).toBe(false);
    expect((await events(i3)).filter((e) => e.type === 'disconnected')).toEqual([expect.objectContaining({ message: 'hub process stopped responding' })]);
    // Nothing left to close: a second sweep changes nothing and writes no event.
    await hubB.app.services.agentSessions.closeSessionsOfDeadNodes([hubB.app.nodeId]);
    expect((await events(i3)).filter((e) => e.type === 'disconnected')).toHaveLength(1);
  });
});

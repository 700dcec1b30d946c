import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import type {
  AgentCredentials,
  Command,
  CommandPage,
  HelloAck,
  InstallationCommand,
  InstallationCommandDetail,
  InstallationStatus,
  LiveClientToServerEvents,
  LiveServerToClientEvents,
} from '@flotilla/protocol';
import { ApiClient, COMPOSE_V1 } from './api-client.js';
import { createTestDatabase, randomSuffix, startTestHub, waitFor, type TestDatabase, type TestHub } from './helpers.js';
import { connectAgent, host, nextCommand, type AgentSocket, type SimAgentOptions } from './sim-agent.js';

/**
 * Commands end to end at the hub, with simulated agents: creation rules, delivery with ack through
 * the agent-commands queue, refusal, hand-over at hello, progress, logs, drift and self-update.
 */

const SHIPPED_COMPOSE = 'registry.test/flotilla/agent-compose:0.2.0';
let tdb: TestDatabase;
let hub: TestHub;
let api: ApiClient;
let customerId: string;
const agents: AgentSocket[] = [];
const since = () => new Date().toISOString();

beforeAll(async () => {
  tdb = await createTestDatabase();
  hub = await startTestHub({ databaseUrl: tdb.url, agentComposeImage: SHIPPED_COMPOSE });
  api = new ApiClient(hub.url);
  await api.signup(randomSuffix());
  customerId = (await api.post<{ id: string }>('/customers', { name: 'Acme' })).body.id;
});

afterAll(async () => {
  for (const a of agents) a.disconnect();
  await hub.close();
  await tdb.drop();
});

interface Setup {
  installationId: string;
  creds: AgentCredentials;
}

/** A fresh installation with one deployed component ("shop-web") and agent credentials. */
async function installation(): Promise<Setup> {
  const app = (await api.post<{ id: string }>('/applications', { name: `Shop Web ${randomSuffix()}`, kind: 'compose' })).body.id;
  const versionId = (await api.post<{ id: string }>(`/applications/${app}/versions`, { version: '1.0.0', compose: { file: COMPOSE_V1 } })).body.id;
  const installationId = (await api.post<{ id: string }>('/installations', { customerId, name: `i-${randomSuffix()}`, environment: 'production', agentKind: 'compose' })).body.id;
  expect((await api.post(`/installations/${installationId}/deploy`, { versionId })).status).toBe(202);
  const creds = (await api.post<AgentCredentials>(`/installations/${installationId}/agent-credentials`)).body;
  return { installationId, creds };
}

async function agent(s: Setup, opts: SimAgentOptions = {}): Promise<{ socket: AgentSocket; hello: HelloAck }> {
  const socket = await connectAgent(hub.url, s.creds.agentId, s.creds.secret, opts);
  agents.push(socket);
  const hello = (await socket.emitWithAck('agent:hello', { host, appliedRevision: 1, components: [comp()] })) as HelloAck;
  return { socket, hello };
}

/** The installation's one component, as the agent reports it. */
let componentName = '';
const comp = (drift?: { appliedRevision: number; actualRevision: number }) => ({ name: componentName, version: '1.0.0', health: 'healthy' as const, since: since(), ...(drift ? { drift } : {}) });

async function send(installationId: string, body: Record<string, unknown>) {
  return api.post<InstallationCommand & { error?: { code: string; message: string } }>(`/installations/${installationId}/commands`, body);
}

async function command(installationId: string, id: string): Promise<InstallationCommandDetail> {
  return (await api.get<InstallationCommandDetail>(`/installations/${installationId}/commands/${id}`)).body;
}

function waitStatus(installationId: string, id: string, status: string) {
  return waitFor(async () => ((await command(installationId, id)).status === status ? true : undefined), 10_000, `command ${id} ${status}`);
}

function liveClient(): Promise<Socket<LiveServerToClientEvents, LiveClientToServerEvents>> {
  const s: Socket<LiveServerToClientEvents, LiveClientToServerEvents> = connect(`${hub.url}/live`, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { cookie: api.sessionCookie ?? '' } });
  return new Promise((resolve, reject) => {
    s.once('connect', () => resolve(s));
    s.once('connect_error', reject);
  });
}

let s: Setup;
beforeEach(async () => {
  s = await installation();
  const desired = await hub.app.services.desiredStates.currentOf(s.installationId);
  componentName = desired?.components[0]?.name ?? '';
});

describe('creating commands', () => {
  it('validates the type and the targets against the desired state', async () => {
    expect((await send(s.installationId, { type: 'explode' })).status).toBe(400);
    expect((await send(s.installationId, { type: 'deploy-stage' })).status).toBe(400);
    const unknown = await send(s.installationId, { type: 'restart', targets: ['nope'] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error?.message).toContain('nope is not a component of this installation');
    const ok = await send(s.installationId, { type: 'restart', targets: [componentName] });
    expect(ok.status).toBe(202);
    expect(ok.body).toMatchObject({ type: 'restart', status: 'pending', targets: [componentName], installationId: s.installationId });
  });

  it('lists commands newest first, paginated', async () => {
    const ids: string[] = [];
    for (const type of ['restart', 'redeploy', 'collect-logs']) ids.push((await send(s.installationId, { type })).body.id);
    const first = await api.get<CommandPage>(`/installations/${s.installationId}/commands?limit=2`);
    expect(first.body.items.map((c) => c.id)).toEqual([ids[2], ids[1]]);
    const rest = await api.get<CommandPage>(`/installations/${s.installationId}/commands?limit=2&cursor=${first.body.nextCursor ?? ''}`);
    expect(rest.body.items.map((c) => c.id)).toEqual([ids[0]]);
    expect(rest.body.nextCursor).toBeNull();
    expect((await api.get(`/installations/${s.installationId}/commands?cursor=garbage`)).status).toBe(400);
    expect((await api.get(`/installations/${s.installationId}/commands/not-a-uuid`)).status).toBe(404);
  });
});

describe('who may send what', () => {
  it('lets a customer admin restart, collect logs and redeploy its installation, not roll back or update the agent', async () => {
    const email = `x-${randomSuffix()}@example.com`;
    const invite = await api.post<{ inviteUrl: string }>('/invites', { email, role: 'admin', customerId });
    const customerAdmin = new ApiClient(hub.url);
    expect((await customerAdmin.post(`/invites/${invite.body.inviteUrl.split('/').pop() ?? ''}/accept`, { name: 'Xavier', password: 'a long enough password' })).status).toBe(200);
    for (const type of ['restart', 'collect-logs', 'redeploy']) expect((await customerAdmin.post(`/installations/${s.installationId}/commands`, { type })).status).toBe(202);
    const rollback = await customerAdmin.post<{ error: { code: string } }>(`/installations/${s.installationId}/commands`, { type: 'rollback' });
    expect(rollback.status).toBe(403);
    expect((await customerAdmin.post(`/installations/${s.installationId}/commands`, { type: 'self-update' })).status).toBe(403);
    expect((await customerAdmin.get<CommandPage>(`/installations/${s.installationId}/commands`)).body.items).toHaveLength(3);
  });
});

describe('delivery and progress', () => {
  it('delivers to the connected agent with ack, then follows progress to succeeded, live', async () => {
    const { socket } = await agent(s);
    const live = await liveClient();
    const seen: InstallationCommand[] = [];
    live.on('command:changed', (c) => seen.push(c));
    const received = nextCommand(socket);
    const created = await send(s.installationId, { type: 'restart' });
    const cmd = await received;
    expect(cmd).toEqual({ id: created.body.id, type: 'restart' });
    await waitStatus(s.installationId, cmd.id, 'delivered');

    expect(await socket.emitWithAck('command:progress', { id: cmd.id, status: 'running', message: 'restarting' })).toEqual({ ok: true });
    expect(await socket.emitWithAck('command:progress', { id: cmd.id, status: 'succeeded', message: 'restarted 1 component' })).toEqual({ ok: true });
    expect(await command(s.installationId, cmd.id)).toMatchObject({ status: 'succeeded', message: 'restarted 1 component', finishedAt: expect.any(String) as string });
    await waitFor(() => seen.find((c) => c.id === cmd.id && c.status === 'succeeded'), 5000, 'a live succeeded command');
    expect(seen.filter((c) => c.id === cmd.id).map((c) => c.status)).toEqual(['pending', 'delivered', 'running', 'succeeded']);

    // A late duplicate changes nothing, and a finished command is not handed over again.
    await socket.emitWithAck('command:progress', { id: cmd.id, status: 'failed', message: 'late' });
    expect((await command(s.installationId, cmd.id)).status).toBe('succeeded');
    socket.disconnect();
    const again = await agent(s);
    expect(again.hello.commands).toEqual([]);
    live.disconnect();
  });

  it('marks a command refused with the agent’s reason', async () => {
    await agent(s, { onCommand: () => ({ accepted: false, reason: 'unsupported: this driver cannot roll back' }) });
    const created = await send(s.installationId, { type: 'rollback' });
    await waitStatus(s.installationId, created.body.id, 'refused');
    expect((await command(s.installationId, created.body.id)).message).toBe('unsupported: this driver cannot roll back');
  });

  it('hands an offline agent its pending commands at hello, and again after a reconnect until finished', async () => {
    const created = await send(s.installationId, { type: 'redeploy' });
    expect(created.body.status).toBe('pending');
    const first = await agent(s, { onCommand: () => ({ accepted: true }) });
    expect(first.hello.commands).toEqual([{ id: created.body.id, type: 'redeploy' } satisfies Command]);
    await first.socket.emitWithAck('command:progress', { id: created.body.id, status: 'running' });
    first.socket.disconnect();

    const second = await agent(s);
    expect(second.hello.commands.map((c) => c.id)).toEqual([created.body.id]);
    await second.socket.emitWithAck('command:progress', { id: created.body.id, status: 'failed', message: 'agent restarted while running the command' });
    expect(await command(s.installationId, created.body.id)).toMatchObject({ status: 'failed', message: 'agent restarted while running the command' });
    second.socket.disconnect();
    expect((await agent(s)).hello.commands).toEqual([]);
  });

  it('refuses progress and logs for a command of another installation', async () => {
    const other = await installation();
    const foreign = await send(other.installationId, { type: 'collect-logs' });
    const { socket } = await agent(s);
    const ack = (await socket.emitWithAck('command:progress', { id: foreign.body.id, status: 'succeeded' })) as unknown as { error: { code: string } };
    expect(ack.error.code).toBe('NOT_FOUND');
    const logs = (await socket.emitWithAck('logs:chunk', { commandId: foreign.body.id, lines: ['x'] })) as unknown as { error: { code: string } };
    expect(logs.error.code).toBe('NOT_FOUND');
    expect((await command(other.installationId, foreign.body.id)).status).toBe('pending');
  });

  it('stores collected log lines with the command', async () => {
    const { socket } = await agent(s);
    const received = nextCommand(socket);
    const created = await send(s.installationId, { type: 'collect-logs', lines: 50 });
    expect(await received).toMatchObject({ type: 'collect-logs', lines: 50 });
    await socket.emitWithAck('command:progress', { id: created.body.id, status: 'running' });
    await socket.emitWithAck('logs:chunk', { commandId: created.body.id, component: componentName, lines: ['line 1', 'line 2'] });
    await socket.emitWithAck('logs:chunk', { commandId: created.body.id, component: componentName, lines: ['line 3'], done: true });
    await socket.emitWithAck('command:progress', { id: created.body.id, status: 'succeeded' });
    expect(await command(s.installationId, created.body.id)).toMatchObject({
      status: 'succeeded',
      logs: [{ component: componentName, lines: ['line 1', 'line 2', 'line 3'] }],
      logsComplete: true,
    });
  });
});

describe('drift', () => {
  it('shows drift in the status and events, and a redeploy that clears it', async () => {
    const { socket } = await agent(s);
    await socket.emitWithAck('status:report', { revision: 1, components: [comp({ appliedRevision: 5, actualRevision: 7 })] });
    const status = (await api.get<InstallationStatus>(`/installations/${s.installationId}/status`)).body;
    expect(status.components[0]?.drift).toEqual({ appliedRevision: 5, actualRevision: 7 });
    type Events = { items: { type: string; message: string | null }[] };
    const drifted = (await api.get<Events>(`/installations/${s.installationId}/events`)).body.items.filter((e) => e.type === 'drift');
    expect(drifted.map((e) => e.message)).toEqual([`${componentName} drifted: runtime at revision 7, agent applied 5`]);

    // The same drift reported again is not a new event.
    await socket.emitWithAck('status:report', { revision: 1, components: [comp({ appliedRevision: 5, actualRevision: 7 })] });
    const received = nextCommand(socket);
    const redeploy = await send(s.installationId, { type: 'redeploy', targets: [componentName] });
    expect(await received).toEqual({ id: redeploy.body.id, type: 'redeploy', targets: [componentName] });
    await socket.emitWithAck('command:progress', { id: redeploy.body.id, status: 'running' });
    await socket.emitWithAck('command:progress', { id: redeploy.body.id, status: 'succeeded', components: [comp()] });
    expect((await command(s.installationId, redeploy.body.id)).status).toBe('succeeded');
    const after = (await api.get<InstallationStatus>(`/installations/${s.installationId}/status`)).body;
    expect(after.components[0]?.drift).toBeUndefined();
    const events = (await api.get<Events>(`/installations/${s.installationId}/events`)).body.items.filter((e) => e.type === 'drift');
    expect(events.map((e) => e.message)).toEqual([`${componentName} no longer drifted (runtime back at the applied revision)`, `${componentName} drifted: runtime at revision 7, agent applied 5`]);
  });
});

describe('agent self-update', () => {
  it('offers the shipped agent, replaces the old one and succeeds once the new version connects', async () => {
    const old = await agent(s, { agentVersion: '0.1.0' });
    const offered = (await api.get<InstallationStatus>(`/installations/${s.installationId}/status`)).body;
    expect(offered).toMatchObject({ agentVersion: '0.1.0', agentUpdate: { version: '0.2.0', image: SHIPPED_COMPOSE } });

    const received = nextCommand(old.socket);
    const created = await send(s.installationId, { type: 'self-update' });
    expect(created.status).toBe(202);
    expect(created.body).toMatchObject({ image: SHIPPED_COMPOSE, agentVersion: '0.2.0' });
    expect(await received).toEqual({ id: created.body.id, type: 'self-update', image: SHIPPED_COMPOSE, agentVersion: '0.2.0' });
    await old.socket.emitWithAck('command:progress', { id: created.body.id, status: 'running' });
    await old.socket.emitWithAck('command:progress', { id: created.body.id, status: 'succeeded', message: 'updater started' });
    // The old agent only started its replacement: the command waits for the new version.
    expect(await command(s.installationId, created.body.id)).toMatchObject({ status: 'running', message: expect.stringContaining('waiting for it to connect with 0.2.0') as string });
    old.socket.disconnect();

    const replacement = await agent(s, { agentVersion: '0.2.0' });
    expect(replacement.hello.commands).toEqual([]);
    expect(await command(s.installationId, created.body.id)).toMatchObject({ status: 'succeeded', message: 'agent reconnected running 0.2.0' });
    const updated = (await api.get<InstallationStatus>(`/installations/${s.installationId}/status`)).body;
    expect(updated).toMatchObject({ agentVersion: '0.2.0', agentUpdate: null });
    const again = await send(s.installationId, { type: 'self-update' });
    expect(again.status).toBe(409);
    expect(again.body.error?.message).toBe('The agent already runs 0.2.0');
  });

  it('refuses a self-update before the agent ever connected', async () => {
    const res = await send(s.installationId, { type: 'self-update' });
    expect(res.status).toBe(409);
  });
});

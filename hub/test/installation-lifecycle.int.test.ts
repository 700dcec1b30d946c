import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import type {
  AgentCredentials,
  HelloAck,
  Installation,
  InstallationCommand,
  InstallationEvent,
  InstallationRemoved,
  LiveClientToServerEvents,
  LiveServerToClientEvents,
  Release,
  Rollout,
  UninstallResponse,
} from '@flotilla/protocol';
import { ApiClient, COMPOSE_V1 } from './api-client.js';
import { createTestDatabase, randomSuffix, startTestHub, waitFor, type TestDatabase, type TestHub } from './helpers.js';
import { connectAgent, host, nextCommand, type AgentSocket, type SimAgentOptions } from './sim-agent.js';

/**
 * An installation's life at the hub: its track changed and cleared, the hub URL its agent is told
 * (and whether the operator set it), live `installation:changed` / `installation:removed`, and
 * uninstall through its agent (a simulated one).
 */

type Err = { error: { code: string; message: string } };

let tdb: TestDatabase;
let hub: TestHub;
let api: ApiClient;
let customerId: string;

beforeAll(async () => {
  tdb = await createTestDatabase();
  hub = await startTestHub({ databaseUrl: tdb.url, publicUrl: 'https://hub.example.com' });
  api = new ApiClient(hub.url);
  await api.signup(randomSuffix());
  customerId = (await api.post<{ id: string }>('/customers', { name: `Acme ${randomSuffix()}` })).body.id;
});

const sockets: { disconnect(): unknown }[] = [];

afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await hub.close();
  await tdb.drop();
});

async function createInstallation(body: Record<string, unknown> = {}): Promise<Installation> {
  const res = await api.post<Installation>('/installations', { customerId, name: `i-${randomSuffix()}`, environment: 'production', agentKind: 'compose', ...body });
  expect(res.status).toBe(201);
  return res.body;
}

async function createTrack(name: string): Promise<string> {
  const app = (await api.post<{ id: string }>('/applications', { name: `App ${randomSuffix()}`, kind: 'compose' })).body.id;
  const res = await api.post<{ id: string }>('/tracks', { name, applicationIds: [app] });
  expect(res.status).toBe(201);
  return res.body.id;
}

describe('PATCH /installations/:id {trackId}', () => {
  it('sets a track of the vendor, moves it to another, clears it with null, and audits each change', async () => {
    const [platform, edge] = [await createTrack(`Platform ${randomSuffix()}`), await createTrack(`Edge ${randomSuffix()}`)];
    const inst = await createInstallation();
    expect(inst.trackId).toBeNull();

    const set = await api.call<Installation>('PATCH', `/installations/${inst.id}`, { trackId: platform });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ id: inst.id, trackId: platform, name: inst.name });
    expect((await api.call<Installation>('PATCH', `/installations/${inst.id}`, { trackId: edge, name: 'renamed' })).body).toMatchObject({ trackId: edge, name: 'renamed' });
    const cleared = await api.call<Installation>('PATCH', `/installations/${inst.id}`, { trackId: null });
    expect(cleared.status).toBe(200);
    expect(cleared.body.trackId).toBeNull();
    expect((await api.get<Installation>(`/installations/${inst.id}`)).body.trackId).toBeNull();

    const audit = await api.get<{ items: { action: string; target: { id: string | null }; details: Record<string, unknown> | null }[] }>(`/audit?targetId=${inst.id}`);
    const updates = audit.body.items.filter((r) => r.action === 'installation.update').map((r) => r.details);
    expect(updates).toEqual([
      { fields: ['trackId'], trackId: null },
      { fields: ['name', 'trackId'], trackId: edge },
      { fields: ['trackId'], trackId: platform },
    ]);
  });

  it('refuses a track that does not exist or is another vendor\'s, in the same words, and changes nothing', async () => {
    const own = await createTrack(`Own ${randomSuffix()}`);
    const inst = await createInstallation({ trackId: own });
    const other = new ApiClient(hub.url);
    await other.signup(randomSuffix());
    const app = (await other.post<{ id: string }>('/applications', { name: 'Theirs', kind: 'compose' })).body.id;
    const theirs = (await other.post<{ id: string }>('/tracks', { name: 'Theirs', applicationIds: [app] })).body.id;

    for (const trackId of [theirs, '00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
      const res = await api.call<Err>('PATCH', `/installations/${inst.id}`, { trackId });
      expect(res.status).toBe(400);
      expect(res.body.error).toEqual({ code: 'VALIDATION_FAILED', message: `trackId: no track ${trackId}` });
    }
    expect((await api.get<Installation>(`/installations/${inst.id}`)).body.trackId).toBe(own);
    expect((await other.call<Err>('PATCH', `/installations/${inst.id}`, { trackId: theirs })).status).toBe(404);
  });
});

describe('agent credentials name the hub URL', () => {
  it('is PUBLIC_URL, marked configured, when the operator set it', async () => {
    const inst = await createInstallation();
    const creds = (await api.post<AgentCredentials>(`/installations/${inst.id}/agent-credentials`)).body;
    expect(creds).toMatchObject({ hubUrl: 'https://hub.example.com', hubUrlConfigured: true });
    expect(creds.installUrl.startsWith('https://hub.example.com/api/v1/agent/install/')).toBe(true);
  });

  it('is the hub\'s own guess, marked unconfigured, without PUBLIC_URL', async () => {
    const bare = await startTestHub({ databaseUrl: tdb.url });
    try {
      const client = new ApiClient(bare.url);
      await client.signup(randomSuffix());
      const customer = (await client.post<{ id: string }>('/customers', { name: 'Solo' })).body.id;
      const inst = (await client.post<Installation>('/installations', { customerId: customer, name: 'solo', environment: 'qa', agentKind: 'compose' })).body;
      const creds = (await client.post<AgentCredentials>(`/installations/${inst.id}/agent-credentials`)).body;
      expect(creds).toMatchObject({ hubUrl: 'http://127.0.0.1:0', hubUrlConfigured: false });
    } finally {
      await bare.close();
    }
  });
});

type LiveSocket = Socket<LiveServerToClientEvents, LiveClientToServerEvents>;

/** A `/live` client of the given user, recording installation:changed / installation:removed. */
async function live(client: ApiClient): Promise<{ changed: Installation[]; removed: InstallationRemoved[] }> {
  const socket: LiveSocket = connect(`${hub.url}/live`, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { cookie: client.sessionCookie ?? '' } });
  sockets.push(socket);
  const seen = { changed: [] as Installation[], removed: [] as InstallationRemoved[] };
  socket.on('installation:changed', (i) => seen.changed.push(i));
  socket.on('installation:removed', (r) => seen.removed.push(r));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return seen;
}

async function customerUser(customer: string): Promise<ApiClient> {
  const invite = await api.post<{ inviteUrl: string }>('/invites', { email: `c-${randomSuffix()}@example.com`, role: 'viewer', customerId: customer });
  const user = new ApiClient(hub.url);
  expect((await user.post(`/invites/${invite.body.inviteUrl.split('/').pop() ?? ''}/accept`, { name: 'Cleo', password: 'a long enough password' })).status).toBe(200);
  return user;
}

describe('live installation:changed and installation:removed', () => {
  it('reach the vendor and the installation\'s customer, not another customer, on create, update, track change, credentials and delete', async () => {
    const other = (await api.post<{ id: string }>('/customers', { name: `Other ${randomSuffix()}` })).body.id;
    const [vendorLive, customerLive, otherLive] = [await live(api), await live(await customerUser(customerId)), await live(await customerUser(other))];
    const track = await createTrack(`Live ${randomSuffix()}`);

    const inst = await createInstallation();
    await api.call('PATCH', `/installations/${inst.id}`, { environment: 'staging' });
    await api.call('PATCH', `/installations/${inst.id}`, { trackId: track });
    const creds = (await api.post<AgentCredentials>(`/installations/${inst.id}/agent-credentials`)).body;
    const mine = (list: Installation[]) => list.filter((i) => i.id === inst.id);
    for (const seen of [vendorLive, customerLive]) {
      await waitFor(() => mine(seen.changed).length === 4, 5000, 'four installation:changed');
      expect(mine(seen.changed).map((i) => [i.environment, i.trackId, i.agentId, i.lifecycle])).toEqual([
        ['production', null, null, 'active'],
        ['staging', null, null, 'active'],
        ['staging', track, null, 'active'],
        ['staging', track, creds.agentId, 'active'],
      ]);
    }
    expect(mine(vendorLive.changed)[3]).toEqual((await api.get<Installation>(`/installations/${inst.id}`)).body);

    expect((await api.call('DELETE', `/installations/${inst.id}`)).status).toBe(204);
    for (const seen of [vendorLive, customerLive]) await waitFor(() => seen.removed.some((r) => r.installationId === inst.id), 5000, 'installation:removed');
    expect(vendorLive.removed.filter((r) => r.installationId === inst.id)).toEqual([{ installationId: inst.id }]);
    expect(otherLive.changed).toEqual([]);
    expect(otherLive.removed).toEqual([]);
  });
});

interface Deployed {
  inst: Installation;
  creds: AgentCredentials;
  versionId: string;
}

/** An installation running one deployed compose version, with agent credentials. */
async function deployed(body: Record<string, unknown> = {}): Promise<Deployed> {
  const app = (await api.post<{ id: string }>('/applications', { name: `Web ${randomSuffix()}`, kind: 'compose' })).body.id;
  const versionId = (await api.post<{ id: string }>(`/applications/${app}/versions`, { version: '1.0.0', compose: { file: COMPOSE_V1 } })).body.id;
  const inst = await createInstallation(body);
  expect((await api.post(`/installations/${inst.id}/deploy`, { versionId })).status).toBe(202);
  const creds = (await api.post<AgentCredentials>(`/installations/${inst.id}/agent-credentials`)).body;
  return { inst, creds, versionId };
}

async function agentOf(d: Deployed, opts: SimAgentOptions = {}): Promise<{ socket: AgentSocket; hello: HelloAck }> {
  const socket = await connectAgent(hub.url, d.creds.agentId, d.creds.secret, opts);
  sockets.push(socket);
  const hello = (await socket.emitWithAck('agent:hello', { host, appliedRevision: 1, components: [] })) as HelloAck;
  return { socket, hello };
}

const lifecycle = async (id: string) => (await api.get<Installation>(`/installations/${id}`)).body.lifecycle;
const uninstall = (id: string) => api.call<UninstallResponse & Err>('DELETE', `/installations/${id}?uninstall=true`);
const commandOf = async (installationId: string, id: string) => (await api.get<InstallationCommand>(`/installations/${installationId}/commands/${id}`)).body;

describe('DELETE /installations/:id?uninstall=true', () => {
  it('sends the agent an uninstall, refuses deploys and commands meanwhile, and deletes the installation when the agent succeeds', async () => {
    const d = await deployed();
    const { socket } = await agentOf(d);
    const seen = await live(api);
    const received = nextCommand(socket);

    const res = await uninstall(d.inst.id);
    expect(res.status).toBe(202);
    expect(Object.keys(res.body)).toEqual(['commandId']);
    expect(await received).toEqual({ id: res.body.commandId, type: 'uninstall', revision: 1 });
    expect(await lifecycle(d.inst.id)).toBe('uninstalling');
    await waitFor(() => seen.changed.find((i) => i.id === d.inst.id && i.lifecycle === 'uninstalling'), 5000, 'installation:changed uninstalling');

    const deploy = await api.post<Err>(`/installations/${d.inst.id}/deploy`, { versionId: d.versionId });
    expect(deploy.status).toBe(409);
    expect(deploy.body.error.message).toBe(`Installation "${d.inst.name}" is being uninstalled; it takes no deploys or rollouts`);
    expect((await api.post<Err>(`/installations/${d.inst.id}/commands`, { type: 'redeploy' })).status).toBe(409);
    // Asking again answers the same command.
    expect((await uninstall(d.inst.id)).body).toEqual({ commandId: res.body.commandId });

    const disconnected = new Promise<void>((resolve) => socket.once('disconnect', () => resolve()));
    expect(await socket.emitWithAck('command:progress', { id: res.body.commandId, status: 'running' })).toEqual({ ok: true });
    expect(await socket.emitWithAck('command:progress', { id: res.body.commandId, status: 'succeeded', message: 'uninstalled: removed web' })).toEqual({ ok: true });
    expect((await api.get(`/installations/${d.inst.id}`)).status).toBe(404);
    await waitFor(() => seen.removed.some((r) => r.installationId === d.inst.id), 5000, 'installation:removed');
    await disconnected;

    const audit = await api.get<{ items: { action: string; details: Record<string, unknown> | null }[] }>(`/audit?targetId=${d.inst.id}`);
    expect(audit.body.items.find((r) => r.action === 'installation.delete')?.details).toEqual({ uninstall: true, commandId: res.body.commandId });
  });

  it('on failure the installation is active again, with the agent\'s words on the command and in its events', async () => {
    const d = await deployed();
    const { socket } = await agentOf(d);
    const seen = await live(api);
    const received = nextCommand(socket);
    const { commandId } = (await uninstall(d.inst.id)).body;
    await received;
    const words = 'could not remove web: Error response from daemon: container is paused';
    expect(await socket.emitWithAck('command:progress', { id: commandId, status: 'failed', message: words })).toEqual({ ok: true });

    expect(await lifecycle(d.inst.id)).toBe('active');
    expect(await commandOf(d.inst.id, commandId)).toMatchObject({ type: 'uninstall', status: 'failed', message: words });
    const events = (await api.get<{ items: InstallationEvent[] }>(`/installations/${d.inst.id}/events`)).body.items;
    expect(events.find((e) => e.type === 'uninstall-failed')).toMatchObject({ message: `Uninstall failed: ${words}` });
    await waitFor(() => seen.changed.filter((i) => i.id === d.inst.id).map((i) => i.lifecycle).join() === 'uninstalling,active', 5000, 'uninstalling then active, live');
    // Deploys work again.
    expect((await api.post(`/installations/${d.inst.id}/deploy`, { versionId: d.versionId })).status).toBe(202);
  });

  it('an agent that refuses the command (an older agent) leaves the installation active, saying why', async () => {
    const d = await deployed();
    await agentOf(d, { onCommand: () => ({ accepted: false, reason: 'unsupported: to uninstall a component, deploy a desired state without it' }) });
    const { commandId } = (await uninstall(d.inst.id)).body;
    await waitFor(async () => ((await lifecycle(d.inst.id)) === 'active' ? true : undefined), 5000, 'active again');
    expect(await commandOf(d.inst.id, commandId)).toMatchObject({ status: 'refused', message: 'unsupported: to uninstall a component, deploy a desired state without it' });
  });

  it('an offline agent gets the uninstall when it reconnects', async () => {
    const d = await deployed();
    (await agentOf(d)).socket.disconnect();
    await waitFor(async () => ((await api.get<Installation>(`/installations/${d.inst.id}`)).body.status.online ? undefined : true), 5000, 'offline');
    const { commandId } = (await uninstall(d.inst.id)).body;
    expect(await commandOf(d.inst.id, commandId)).toMatchObject({ status: 'pending' });

    const { socket, hello } = await agentOf(d);
    expect(hello.commands).toEqual([{ id: commandId, type: 'uninstall', revision: 1 }]);
    expect(await socket.emitWithAck('command:progress', { id: commandId, status: 'succeeded', message: 'uninstalled: removed web' })).toEqual({ ok: true });
    expect((await api.get(`/installations/${d.inst.id}`)).status).toBe(404);
  });

  it('is refused for an installation no agent ever connected to; deleting without uninstall works at any time', async () => {
    const d = await deployed();
    const res = await uninstall(d.inst.id);
    expect(res.status).toBe(409);
    expect(res.body.error.message).toBe(`No agent has ever connected to installation "${d.inst.name}", so it runs nothing to uninstall; delete it without uninstall=true`);
    expect((await api.call<Err>('DELETE', `/installations/${d.inst.id}?uninstall=maybe`)).status).toBe(400);

    // An agent that is gone for good: remove without uninstalling, also mid-uninstall.
    const gone = await deployed();
    (await agentOf(gone)).socket.disconnect();
    expect((await uninstall(gone.inst.id)).status).toBe(202);
    expect((await api.call('DELETE', `/installations/${gone.inst.id}`)).status).toBe(204);
    expect((await api.get(`/installations/${gone.inst.id}`)).status).toBe(404);
  });

  it('takes the installation out of the rollouts it has not finished, and a new rollout naming it is refused', async () => {
    const app = (await api.post<{ id: string }>('/applications', { name: `Shop ${randomSuffix()}`, kind: 'compose' })).body.id;
    const versionId = (await api.post<{ id: string }>(`/applications/${app}/versions`, { version: '2.0.0', compose: { file: COMPOSE_V1 } })).body.id;
    const track = (await api.post<{ id: string }>('/tracks', { name: `Shop ${randomSuffix()}`, applicationIds: [app] })).body.id;
    const release = (await api.post<Release>(`/tracks/${track}/releases`, { version: '2.0.0', stages: [[{ applicationId: app, versionId }]] })).body.id;
    expect((await api.post(`/releases/${release}/lock`)).status).toBe(200);
    expect((await api.post('/entitlements', { customerId, trackId: track })).status).toBe(201);
    const inst = await createInstallation({ trackId: track });
    const creds = (await api.post<AgentCredentials>(`/installations/${inst.id}/agent-credentials`)).body;
    // An agent that takes the stage and never reports it healthy: the target stays deploying.
    const socket = await connectAgent(hub.url, creds.agentId, creds.secret);
    sockets.push(socket);
    await socket.emitWithAck('agent:hello', { host, appliedRevision: 0, components: [] });
    const body = { releaseId: release, targets: { installationIds: [inst.id] }, strategy: { respectMaintenanceWindows: false } };
    const rollout = (await api.post<Rollout>('/rollouts', body)).body;
    await waitFor(async () => ((await api.get<Rollout>(`/rollouts/${rollout.id}`)).body.targets[0]?.status === 'deploying' ? true : undefined), 10_000, 'the target deploying');

    expect((await uninstall(inst.id)).status).toBe(202);
    const done = await waitFor(async () => {
      const r = (await api.get<Rollout>(`/rollouts/${rollout.id}`)).body;
      return r.status === 'completed' ? r : undefined;
    }, 10_000, 'the rollout to complete without it');
    expect(done.targets[0]).toMatchObject({ installationId: inst.id, status: 'skipped', message: 'the installation is being uninstalled' });
    const again = await api.post<Err>('/rollouts', body);
    expect(again.status).toBe(409);
    expect(again.body.error.message).toBe(`Installation "${inst.name}" is being uninstalled; it takes no deploys or rollouts`);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentCredentials, Command, DesiredState, InstallationCommandDetail } from '@flotilla/protocol';
import { ApiClient, COMPOSE_V1 } from './api-client.js';
import { createTestDatabase, dropRedisPrefix, randomSuffix, startTestHub, waitFor, type TestDatabase, type TestHub } from './helpers.js';
import { connectAgent, host, type AgentSocket } from './sim-agent.js';

/**
 * The agent outbox's retries, with two hub processes on Redis and real Socket.IO agents: an agent
 * that is connected but does not acknowledge a message gets it again through the agent-commands
 * queue, for both kinds it carries (a desired state, pushed first; a command, queued first).
 */

const ACK_TIMEOUT_MS = 400;
let tdb: TestDatabase;
let hubA: TestHub;
let hubB: TestHub;
let api: ApiClient;
let customerId: string;
const prefix = `flotilla_test_${randomSuffix()}`;
const sockets: AgentSocket[] = [];

beforeAll(async () => {
  tdb = await createTestDatabase();
  hubA = await startTestHub({ databaseUrl: tdb.url, redisPrefix: prefix, agentAckTimeoutMs: ACK_TIMEOUT_MS });
  hubB = await startTestHub({ databaseUrl: tdb.url, redisPrefix: prefix, agentAckTimeoutMs: ACK_TIMEOUT_MS });
  // Every API call (and so every push) starts on hub A.
  api = new ApiClient(hubA.url);
  await api.signup(randomSuffix());
  customerId = (await api.post<{ id: string }>('/customers', { name: 'Acme' })).body.id;
});

afterAll(async () => {
  for (const s of sockets) s.close();
  await hubB.close();
  await hubA.close();
  await tdb.drop();
  await dropRedisPrefix(prefix);
});

interface Received<T> {
  message: T;
  at: number;
}

/** An installation running 1.0.0 (revision 1), with a 1.1.0 to deploy, its agent connected to `hub` and past its hello. */
async function connectedInstallation(hub: TestHub) {
  const app = (await api.post<{ id: string }>('/applications', { name: `shop-${randomSuffix()}`, kind: 'compose' })).body.id;
  const v1 = (await api.post<{ id: string }>(`/applications/${app}/versions`, { version: '1.0.0', compose: { file: COMPOSE_V1 } })).body.id;
  const v2 = (await api.post<{ id: string }>(`/applications/${app}/versions`, { version: '1.1.0', compose: { file: COMPOSE_V1.replace(':v1', ':v2') } })).body.id;
  const installationId = (await api.post<{ id: string }>('/installations', { customerId, name: `edge-${randomSuffix()}`, environment: 'production', agentKind: 'compose' })).body.id;
  expect((await api.post(`/installations/${installationId}/deploy`, { versionId: v1 })).status).toBe(202);
  const creds = (await api.post<AgentCredentials>(`/installations/${installationId}/agent-credentials`)).body;
  const socket = await connectAgent(hub.url, creds.agentId, creds.secret);
  sockets.push(socket);
  await socket.emitWithAck('agent:hello', { host, appliedRevision: 1, components: [] });
  return { installationId, v2, socket };
}

/** Replaces the simulated agent's answers: the first message of the kind gets no answer, later ones are accepted. */
function ignoreFirst<T>(socket: AgentSocket, event: 'state:desired' | 'command'): Received<T>[] {
  const received: Received<T>[] = [];
  socket.off(event);
  socket.on(event, (message: unknown, ack: (answer: { accepted: boolean }) => void) => {
    received.push({ message: message as T, at: Date.now() });
    if (received.length > 1) ack({ accepted: true });
  });
  return received;
}

describe('a connected agent that does not acknowledge', () => {
  it.each([
    ['on the process that pushes', () => hubA],
    ['on another process (through the adapter)', () => hubB],
  ])('gets a desired state again from a queued retry: agent %s', async (_where, hub) => {
    const { installationId, v2, socket } = await connectedInstallation(hub());
    const received = ignoreFirst<DesiredState>(socket, 'state:desired');
    expect((await api.post(`/installations/${installationId}/deploy`, { versionId: v2 })).status).toBe(202);
    await waitFor(() => (received.length >= 2 ? true : undefined), 10_000, 'the retried desired state');
    const [first, retried] = received as [Received<DesiredState>, Received<DesiredState>];
    // The retry is the installation's current state, sent once the ack timed out.
    expect([first.message.revision, retried.message.revision]).toEqual([2, 2]);
    expect(retried.message.installationId).toBe(installationId);
    expect(retried.at - first.at).toBeGreaterThanOrEqual(ACK_TIMEOUT_MS - 50);
    // Accepted: no further delivery.
    await new Promise((resolve) => setTimeout(resolve, ACK_TIMEOUT_MS * 3));
    expect(received).toHaveLength(2);
  });

  it('gets a command again until it acknowledges it, then the command is delivered', async () => {
    const { installationId, socket } = await connectedInstallation(hubB);
    const received = ignoreFirst<Command>(socket, 'command');
    const sent = await api.post<{ id: string }>(`/installations/${installationId}/commands`, { type: 'restart' });
    expect(sent.status).toBe(202);
    const commandId = sent.body.id;
    await waitFor(async () => ((await api.get<InstallationCommandDetail>(`/installations/${installationId}/commands/${commandId}`)).body.status === 'delivered' ? true : undefined), 15_000, 'command delivered');
    expect(received.map((r) => r.message.id)).toEqual([commandId, commandId]);
    // The first attempt failed on the ack timeout; the retry came after it (and BullMQ's backoff).
    const [first, retried] = received as [Received<Command>, Received<Command>];
    expect(retried.at - first.at).toBeGreaterThanOrEqual(ACK_TIMEOUT_MS - 50);
  });
});

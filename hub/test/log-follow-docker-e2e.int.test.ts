import type { ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import type { AgentCredentials, ErrorAck, InstallationStatus, LiveClientToServerEvents, LiveLogFollowAck, LiveLogLines, LiveServerToClientEvents } from '@flotilla/protocol';
import { assertDockerAvailable, ensureTestImages, removeProjects, testImage } from '../../agent-compose/test/images.js';
import { ApiClient } from './api-client.js';
import { startAgentProcess } from './agent-process.js';
import { createTestDatabase, dropRedisPrefix, randomSuffix, startTestHub, waitFor, type TestDatabase, type TestHub } from './helpers.js';

/**
 * Live log tail end to end, across two hub processes sharing Redis: the real flotilla-agent-compose
 * is connected to hub A and follows a container that prints a line every 100 ms; the browser-like
 * /live client is connected to hub B. Hub B's rate cap (5 lines/s) makes the agent drop lines and say so.
 */
const execFileAsync = promisify(execFile);
type Live = Socket<LiveServerToClientEvents, LiveClientToServerEvents>;

let tdb: TestDatabase;
let hubA: TestHub;
let hubB: TestHub;
const redisPrefix = `flotilla_test_${randomSuffix()}`;
let api: ApiClient;
let stateDir: string;
let agent: ChildProcess | undefined;
let agentLog = '';
let installationId: string;
let projectPrefix: string;
const sockets: Live[] = [];

const TICKER_COMPOSE = `services:\n  ticker:\n    image: ${testImage('v1')}\n    network_mode: host\n    command: ["/bin/sh", "-c", "trap 'exit 0' TERM; i=0; while true; do i=$$((i+1)); echo tick $$i; sleep 0.1; done"]\n`;

beforeAll(async () => {
  await assertDockerAvailable();
  await ensureTestImages(['v1']);
  tdb = await createTestDatabase();
  hubA = await startTestHub({ databaseUrl: tdb.url, redisPrefix });
  hubB = await startTestHub({ databaseUrl: tdb.url, redisPrefix, workers: false, logFollow: { linesPerSecond: 5 } });
  api = new ApiClient(hubA.url);
  await api.signup(randomSuffix());
  stateDir = await mkdtemp(path.join(tmpdir(), 'flotilla-follow-agent-'));
}, 120_000);

afterAll(async () => {
  for (const s of sockets) s.disconnect();
  if (agent && agent.exitCode === null) {
    const exited = new Promise((r) => agent?.once('exit', r));
    agent.kill('SIGKILL');
    await exited;
  }
  if (projectPrefix) await removeProjects(projectPrefix);
  await hubA?.close();
  await hubB?.close();
  await tdb?.drop();
  await dropRedisPrefix(redisPrefix);
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

afterEach((ctx) => {
  if (ctx.task.result?.state === 'fail') process.stderr.write(`--- agent log (last 6 kB) ---\n${agentLog.slice(-6000)}\n`);
});

async function live(url: string, client: ApiClient): Promise<Live> {
  const socket: Live = connect(`${url}/live`, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { cookie: client.sessionCookie ?? '' } });
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

function follow(socket: Live, component: string, id = installationId): Promise<LiveLogFollowAck | ErrorAck> {
  return socket.timeout(20_000).emitWithAck('logs:follow', { installationId: id, component, tail: 3 });
}

/** The `logs -f` processes the agent runs for the ticker's compose project. */
async function followProcesses(): Promise<string[]> {
  const { stdout } = await execFileAsync('ps', ['-eo', 'args']);
  return stdout.split('\n').filter((l) => l.includes(projectPrefix) && / logs -f /.test(l));
}

describe('live log tail end to end', { timeout: 240_000 }, () => {
  it('lines of a ticking container reach a /live client on another hub process, capped, and stop with the follow', async () => {
    const app = await api.post<{ id: string }>('/applications', { name: 'ticker', kind: 'compose' });
    const version = await api.post<{ id: string }>(`/applications/${app.body.id}/versions`, { version: '1.0.0', compose: { file: TICKER_COMPOSE } });
    expect(version.status).toBe(201);
    const customer = await api.post<{ id: string }>('/customers', { name: 'Globex' });
    installationId = (await api.post<{ id: string }>('/installations', { customerId: customer.body.id, name: 'docker-host', environment: 'production', agentKind: 'compose' })).body.id;
    projectPrefix = `flt-${installationId.slice(0, 8)}-`;
    const creds = (await api.post<AgentCredentials>(`/installations/${installationId}/agent-credentials`)).body;
    agent = startAgentProcess(hubA.url, creds, stateDir, (text) => (agentLog += text), { FLOTILLA_LOG_LEVEL: 'debug' });
    await waitFor(async () => ((await api.get<InstallationStatus>(`/installations/${installationId}/status`)).body.online ? true : undefined), 60_000, 'agent online');
    expect((await api.post(`/installations/${installationId}/deploy`, { versionId: version.body.id })).status).toBe(202);
    await waitFor(async () => ((await api.get<InstallationStatus>(`/installations/${installationId}/status`)).body.health === 'healthy' ? true : undefined), 90_000, 'ticker healthy');

    const client = await live(hubB.url, api);
    const received: LiveLogLines[] = [];
    client.on('logs:lines', (l) => received.push(l));
    const ack = await follow(client, 'ticker');
    if (!('followId' in ack)) throw new Error(`follow refused: ${JSON.stringify(ack)}`);
    expect(await followProcesses()).not.toEqual([]);

    const ticks = () => received.filter((r) => r.followId === ack.followId).flatMap((r) => r.lines).filter((l) => /tick \d+/.test(l));
    await waitFor(() => (ticks().length >= 12 ? true : undefined), 30_000, 'a dozen ticks');
    expect(received.every((r) => r.installationId === installationId)).toBe(true);
    // 10 lines/s against a cap of 5/s: the agent drops about half and says how many.
    await waitFor(() => (received.some((r) => (r.dropped ?? 0) > 0) ? true : undefined), 10_000, 'a dropped-lines count');
    const numbers = ticks().map((l) => Number(/tick (\d+)/.exec(l)?.[1]));
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b)); // in order

    expect(await client.timeout(5000).emitWithAck('logs:unfollow', { followId: ack.followId })).toEqual({ ok: true });
    await waitFor(async () => ((await followProcesses()).length === 0 ? true : undefined), 15_000, 'the logs -f process gone');
    await waitFor(() => (agentLog.includes('"reason":"stopped by the hub","msg":"log follow ended"') ? true : undefined), 10_000, 'the agent ending the follow');
    const countAfterStop = ticks().length;
    await new Promise((r) => setTimeout(r, 700));
    expect(ticks().length).toBe(countAfterStop);
  });

  it('closing the page (the socket disconnects) stops the follow on the agent', async () => {
    const client = await live(hubB.url, api);
    const ack = await follow(client, 'ticker');
    expect(ack).toHaveProperty('followId');
    await waitFor(async () => ((await followProcesses()).length > 0 ? true : undefined), 10_000, 'a logs -f process');
    client.disconnect();
    await waitFor(async () => ((await followProcesses()).length === 0 ? true : undefined), 15_000, 'the logs -f process gone');
  });

  it('refuses another vendor (NOT_FOUND), an unknown component, and a bad payload', async () => {
    const stranger = new ApiClient(hubA.url);
    await stranger.signup(randomSuffix());
    const strangerLive = await live(hubA.url, stranger);
    expect(await follow(strangerLive, 'ticker')).toMatchObject({ error: { code: 'NOT_FOUND' } });

    const client = await live(hubA.url, api);
    expect(await follow(client, 'nope')).toMatchObject({ error: { code: 'CONFLICT', message: 'component "nope" is not deployed on this agent' } });
    expect(await follow(client, 'Bad Name!')).toMatchObject({ error: { code: 'INVALID_PAYLOAD' } });
    expect(await followProcesses()).toEqual([]);
  });
});

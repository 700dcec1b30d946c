import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket as ServerSocket } from 'socket.io';
import type { AgentPresence, Installation, InstallationRemoved, InstallationStatus, LiveClientToServerEvents, LiveServerToClientEvents, RolloutProgress } from '@flotilla/protocol';
import { connectLive, type LiveClient, type LiveConnectionState } from './live';
import { T1, installation, presence, status } from '../testing/fixtures';
import { progress, target } from '../testing/rollout-fixtures';

type LiveServer = Server<LiveClientToServerEvents, LiveServerToClientEvents>;

let http: HttpServer;
let io: LiveServer;
let url: string;
let client: LiveClient | undefined;
const connected: ServerSocket<LiveClientToServerEvents, LiveServerToClientEvents>[] = [];

beforeEach(async () => {
  http = createServer();
  io = new Server(http, { transports: ['websocket'] });
  io.of('/live').on('connection', (socket) => connected.push(socket));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/live`;
});

afterEach(async () => {
  client?.close();
  client = undefined;
  connected.length = 0;
  await io.close();
});

function recorder() {
  const log = {
    states: [] as LiveConnectionState[],
    statuses: [] as InstallationStatus[],
    presences: [] as AgentPresence[],
    rollouts: [] as RolloutProgress[],
    invalid: [] as string[],
    reconnects: 0,
  };
  const handlers = {
    onStatus: (s: InstallationStatus) => log.statuses.push(s),
    onPresence: (p: AgentPresence) => log.presences.push(p),
    onRolloutProgress: (p: RolloutProgress) => log.rollouts.push(p),
    onState: (s: LiveConnectionState) => log.states.push(s),
    onReconnected: () => log.reconnects++,
    onInvalid: (event: string) => log.invalid.push(event),
  };
  return { log, handlers };
}

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('connectLive', () => {
  it('connects to /live over websocket and delivers validated events', async () => {
    const { log, handlers } = recorder();
    client = connectLive(handlers, url);
    await until(() => connected.length === 1);
    await until(() => log.states.at(-1) === 'live');
    expect(log.states[0]).toBe('connecting');
    expect(connected[0]?.conn.transport.name).toBe('websocket');

    const server = connected[0]!;
    server.emit('installation:status', status('i1', { health: 'healthy', online: true, updatedAt: T1 }));
    server.emit('agent:presence', presence('i1', false, T1));
    await until(() => log.statuses.length === 1 && log.presences.length === 1);
    expect(log.statuses[0]).toMatchObject({ installationId: 'i1', health: 'healthy' });
    expect(log.presences[0]).toMatchObject({ installationId: 'i1', online: false });
  });

  it('delivers each status of a coalesced installation:statuses message, and drops a malformed batch', async () => {
    const { log, handlers } = recorder();
    client = connectLive(handlers, url);
    await until(() => connected.length === 1);
    const server = connected[0]!;
    server.emit('installation:statuses', [status('i1', { health: 'healthy' }), status('i2', { health: 'failed' })]);
    server.emit('installation:statuses', [{ installationId: 'i3' }] as unknown as InstallationStatus[]);
    server.emit('installation:status', status('i4'));
    await until(() => log.statuses.length === 3);
    expect(log.statuses.map((s) => [s.installationId, s.health])).toEqual([
      ['i1', 'healthy'],
      ['i2', 'failed'],
      ['i4', status('i4').health],
    ]);
    expect(log.invalid).toEqual(['installation:statuses']);
  });

  it('delivers each presence of a coalesced agent:presences message, and drops a malformed batch', async () => {
    const { log, handlers } = recorder();
    client = connectLive(handlers, url);
    await until(() => connected.length === 1);
    const server = connected[0]!;
    server.emit('agent:presences', [presence('i1', true, T1), presence('i2', false, T1)]);
    server.emit('agent:presences', [{ installationId: 'i3' }] as unknown as AgentPresence[]);
    server.emit('agent:presence', presence('i4', true, T1));
    await until(() => log.presences.length === 3);
    expect(log.presences.map((p) => [p.installationId, p.online])).toEqual([
      ['i1', true],
      ['i2', false],
      ['i4', true],
    ]);
    expect(log.invalid).toEqual(['agent:presences']);
  });

  it('drops payloads that do not match the protocol', async () => {
    const { log, handlers } = recorder();
    client = connectLive(handlers, url);
    await until(() => connected.length === 1);
    const server = connected[0]!;
    server.emit('installation:status', { installationId: 'i1', health: 'splendid' } as unknown as InstallationStatus);
    server.emit('agent:presence', { installationId: 'i1' } as unknown as AgentPresence);
    server.emit('installation:status', status('i2'));
    await until(() => log.statuses.length === 1);
    expect(log.invalid).toEqual(['installation:status', 'agent:presence']);
    expect(log.statuses[0]?.installationId).toBe('i2');
  });

  it('delivers rollout:progress and drops malformed ones', async () => {
    const { log, handlers } = recorder();
    client = connectLive(handlers, url);
    await until(() => connected.length === 1);
    const server = connected[0]!;
    server.emit('rollout:progress', { rolloutId: 'r1', status: 'running' } as unknown as RolloutProgress);
    server.emit('rollout:progress', progress('r1', [target('i1', { status: 'deploying', stage: 1 })], { waves: [{ index: 0, total: 1, finished: 0 }] }));
    await until(() => log.rollouts.length === 1);
    expect(log.invalid).toEqual(['rollout:progress']);
    expect(log.rollouts[0]).toMatchObject({ rolloutId: 'r1', targets: [{ installationId: 'i1', status: 'deploying', stage: 1 }] });
  });

  it('delivers installation:changed and installation:removed, and drops malformed ones', async () => {
    const { log, handlers } = recorder();
    const changed: Installation[] = [];
    const removed: InstallationRemoved[] = [];
    client = connectLive({ ...handlers, onInstallation: (i) => changed.push(i), onInstallationRemoved: (r) => removed.push(r) }, url);
    await until(() => connected.length === 1);
    const server = connected[0]!;
    server.emit('installation:changed', { id: 'i1', name: 'no status' } as unknown as Installation);
    server.emit('installation:removed', {} as unknown as InstallationRemoved);
    server.emit('installation:changed', installation('i1', { lifecycle: 'uninstalling' }));
    server.emit('installation:removed', { installationId: 'i1' });
    await until(() => changed.length === 1 && removed.length === 1);
    expect(log.invalid).toEqual(['installation:changed', 'installation:removed']);
    expect(changed[0]).toMatchObject({ id: 'i1', lifecycle: 'uninstalling' });
    expect(removed).toEqual([{ installationId: 'i1' }]);
  });

  it('shows reconnecting after the server drops it, then comes back and reports the reconnect', async () => {
    const { log, handlers } = recorder();
    client = connectLive(handlers, url);
    await until(() => connected.length === 1);
    await until(() => log.states.at(-1) === 'live');

    connected[0]!.disconnect(true);
    await until(() => log.states.at(-1) === 'reconnecting');
    await until(() => connected.length === 2 && log.states.at(-1) === 'live');
    expect(log.reconnects).toBe(1);
  });

  it('stops for good on close()', async () => {
    const { log, handlers } = recorder();
    client = connectLive(handlers, url);
    await until(() => connected.length === 1);
    client.close();
    expect(log.states.at(-1)).toBe('offline');
    await until(() => connected[0]?.disconnected === true);
    client = undefined;
  });
});

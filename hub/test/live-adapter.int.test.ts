import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import type { AgentPresence, LiveClientToServerEvents, LiveServerToClientEvents } from '@flotilla/protocol';
import { createTestDatabase, dropRedisPrefix, randomSuffix, startTestHub, type TestDatabase, type TestHub } from './helpers.js';

let tdb: TestDatabase;
let hubA: TestHub;
let hubB: TestHub;
const prefix = `flotilla_test_${randomSuffix()}`;
const grant = async () => ({ rooms: ['vendor:v1'] });

beforeAll(async () => {
  tdb = await createTestDatabase();
  hubA = await startTestHub({ databaseUrl: tdb.url, redisPrefix: prefix, liveAuthenticator: grant });
  hubB = await startTestHub({ databaseUrl: tdb.url, redisPrefix: prefix, liveAuthenticator: grant });
});

afterAll(async () => {
  await hubA.close();
  await hubB.close();
  await tdb.drop();
  await dropRedisPrefix(prefix);
});

function connectLive(url: string): Promise<Socket<LiveServerToClientEvents, LiveClientToServerEvents>> {
  const socket: Socket<LiveServerToClientEvents, LiveClientToServerEvents> = connect(`${url}/live`, { transports: ['websocket'], reconnection: false });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

describe('/live across hub processes', () => {
  it('an event emitted on hub A reaches a client connected to hub B through the Redis adapter', async () => {
    const client = await connectLive(hubB.url);
    try {
      const received = new Promise<AgentPresence>((resolve) => client.once('agent:presence', resolve));
      const event: AgentPresence = { installationId: 'i1', agentId: 'a1', online: true, at: new Date().toISOString(), hubNode: hubA.app.nodeId };
      // The adapter needs a moment to subscribe to the stream; emit until delivered.
      const timer = setInterval(() => hubA.app.live.to('vendor:v1').emit('agent:presence', event), 200);
      try {
        expect(await received).toEqual(event);
      } finally {
        clearInterval(timer);
      }
    } finally {
      client.disconnect();
    }
  });

  it('rooms are respected: another vendor’s event does not arrive', async () => {
    const client = await connectLive(hubB.url);
    try {
      const got: AgentPresence[] = [];
      client.on('agent:presence', (e) => got.push(e));
      hubA.app.live.to('vendor:other').emit('agent:presence', { installationId: 'x', agentId: 'x', online: true, at: new Date().toISOString() });
      hubA.app.live.to('vendor:v1').emit('agent:presence', { installationId: 'mine', agentId: 'a', online: true, at: new Date().toISOString() });
      await new Promise((r) => setTimeout(r, 1000));
      expect(got.map((e) => e.installationId)).toEqual(['mine']);
    } finally {
      client.disconnect();
    }
  });

  it('refuses clients without credentials', async () => {
    const bare = await startTestHub({ databaseUrl: tdb.url, redisPrefix: prefix, workers: false });
    try {
      const err = await connectLive(bare.url).then(
        () => undefined,
        (e: Error & { data?: { code: string } }) => e,
      );
      expect(err?.data?.code).toBe('UNAUTHORIZED');
    } finally {
      await bare.close();
    }
  });
});

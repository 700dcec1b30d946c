import type { AddressInfo } from 'node:net';
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StatusReport } from '@flotilla/protocol';
import { createLogger } from '../logger.js';
import { AppError } from '../errors.js';
import { onValidated, onValidatedEvents, validatedEvent } from './validated.js';

const http = createServer();
const io = new Server(http, { transports: ['websocket'] });
const clients: Record<string, Socket> = {};
const received: StatusReport[] = [];
/** What the table's handlers were given as their connection's context. */
const contexts: string[] = [];

const handle = (report: StatusReport) => {
  if (report.revision === 666) throw new AppError('CONFLICT', 'revision from the future');
  if (report.revision === 500) throw new Error('db exploded: secret');
  received.push(report);
  return { ok: true as const };
};
// The same behaviour registered per event, and as a table with one listener per socket.
const table = new Map([['status:report', validatedEvent(StatusReport, (context: { who: string }, report) => (contexts.push(context.who), handle(report)))]]);

beforeAll(async () => {
  const log = createLogger('silent');
  io.of('/agent').on('connection', (socket) => onValidated(socket, 'status:report', StatusReport, handle, log));
  io.of('/table').on('connection', (socket) => onValidatedEvents(socket, table, { who: socket.id }, log));
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  for (const nsp of ['/agent', '/table']) {
    const client = connect(`http://127.0.0.1:${(http.address() as AddressInfo).port}${nsp}`, { transports: ['websocket'], forceNew: true });
    await new Promise<void>((r) => client.on('connect', () => r()));
    clients[nsp] = client;
  }
});

afterAll(async () => {
  for (const client of Object.values(clients)) client.disconnect();
  await io.close();
});

const valid = { revision: 1, components: [{ name: 'web', version: '1.0.0', health: 'healthy', since: new Date().toISOString() }] };

describe.each(['/agent', '/table'])('onValidated and onValidatedEvents (%s)', (nsp) => {
  let client: Socket;
  beforeAll(() => {
    client = clients[nsp] as Socket;
  });

  it('passes a valid payload to the handler and acks its result', async () => {
    const before = received.length;
    expect(await client.emitWithAck('status:report', valid)).toEqual({ ok: true });
    expect(received).toHaveLength(before + 1);
  });

  it.each([
    ['a string', 'hello'],
    ['a missing field', { components: [] }],
    ['a wrong enum', { revision: 1, components: [{ name: 'web', version: null, health: 'great', since: new Date().toISOString() }] }],
    ['null', null],
    ['nothing', undefined],
  ])('answers INVALID_PAYLOAD to %s and keeps the connection', async (_what, payload) => {
    const before = received.length;
    const ack = (await client.emitWithAck('status:report', payload)) as { error: { code: string; message: string } };
    expect(ack.error.code).toBe('INVALID_PAYLOAD');
    expect(ack.error.message).toContain('status:report');
    expect(received).toHaveLength(before);
    expect(client.connected).toBe(true);
    // and the same connection still works
    expect(await client.emitWithAck('status:report', valid)).toEqual({ ok: true });
  });

  it('survives a malformed payload sent without an ack', async () => {
    client.emit('status:report', { revision: 'x' });
    expect(await client.emitWithAck('status:report', valid)).toEqual({ ok: true });
  });

  it('turns handler errors into error acks, hiding unknown ones', async () => {
    expect(await client.emitWithAck('status:report', { ...valid, revision: 666 })).toEqual({ error: { code: 'CONFLICT', message: 'revision from the future' } });
    expect(await client.emitWithAck('status:report', { ...valid, revision: 500 })).toEqual({ error: { code: 'INTERNAL', message: 'Internal error' } });
    expect(client.connected).toBe(true);
  });
});

describe('onValidatedEvents', () => {
  it("gives each handler its connection's context, and ignores events not in the table", async () => {
    const client = clients['/table'] as Socket;
    contexts.length = 0;
    expect(await client.emitWithAck('status:report', valid)).toEqual({ ok: true });
    expect(contexts).toEqual([client.id]);
    client.emit('no:such-event', valid);
    expect(await client.emitWithAck('status:report', valid)).toEqual({ ok: true });
    expect(contexts).toHaveLength(2);
    expect(client.connected).toBe(true);
  });
});

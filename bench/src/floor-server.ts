import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { serve } from './rpc.js';

/**
 * The floor of the stack: a bare Socket.IO server (same version and transport as the hub, no
 * auth, no database) broadcasting one small event to every client. Runs in its own process so its
 * CPU and memory can be measured like the hub's.
 */
// About the size of a one-component desired state, so both sides move similar bytes.
const PAYLOAD = { installationId: '00000000-0000-4000-8000-000000000000', revision: 1, components: [{ name: 'web', kind: 'compose', version: '1.1.0', stage: 1, spec: { file: 'x'.repeat(160) } }] };

// Same listen backlog as the hub, so connect storms compare like with like.
const http = createServer();
const io = new Server(http, { transports: ['websocket'] });

serve({
  listen: async () => {
    await new Promise<void>((resolve) => http.listen({ port: 0, host: '127.0.0.1', backlog: 8192 }, resolve));
    return (http.address() as AddressInfo).port;
  },
  clients: () => io.engine.clientsCount,
  /** Memory after a full garbage collection (the harness forks children with --expose-gc). */
  memory: () => {
    (globalThis as { gc?: () => void }).gc?.();
    return process.memoryUsage();
  },
  /** Broadcasts tick `seq`; returns the epoch ms just before the emit. */
  broadcast: (a: { seq: number }) => {
    const t0 = Date.now();
    io.emit('tick', a.seq, PAYLOAD);
    return t0;
  },
  close: async () => {
    await io.close();
    return true;
  },
});

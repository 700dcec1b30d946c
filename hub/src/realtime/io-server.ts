import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import type { AdapterConstructor } from '../infra/index.js';

/** One Socket.IO server on the hub's HTTP server; websocket only, so no sticky sessions are needed. */
export function createIoServer(http: HttpServer, adapter: AdapterConstructor): Server {
  return new Server(http, {
    transports: ['websocket'],
    serveClient: false,
    maxHttpBufferSize: 1_000_000,
    pingInterval: 25_000,
    pingTimeout: 20_000,
    ...(adapter ? { adapter } : {}),
  });
}

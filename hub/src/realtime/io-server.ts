import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import { AppError } from '../errors.js';
import type { AdapterConstructor } from '../infra/index.js';
import { socketError } from './socket-error.js';

/**
 * One Socket.IO server on the hub's HTTP server; websocket only, so no sticky sessions are needed.
 * Only the `/agent` and `/live` namespaces serve anyone: the default namespace, which Socket.IO
 * always has, refuses every connection (unknown namespaces are refused by Socket.IO itself).
 */
export function createIoServer(http: HttpServer, adapter: AdapterConstructor): Server {
  const io = new Server(http, {
    transports: ['websocket'],
    serveClient: false,
    maxHttpBufferSize: 1_000_000,
    pingInterval: 25_000,
    pingTimeout: 20_000,
    ...(adapter ? { adapter } : {}),
  });
  io.of('/').use((_socket, next) => next(socketError(new AppError('NOT_FOUND', 'Connect to the /agent or /live namespace'))));
  return io;
}

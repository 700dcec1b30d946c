import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { Namespace, Server as IoServer } from 'socket.io';
import type { AgentToHubEvents, HubToAgentEvents, LiveClientToServerEvents, LiveServerToClientEvents } from '@flotilla/protocol';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import type { Infra } from './infra/index.js';
import { createKoaApp } from './http/koa-app.js';
import { healthRoutes } from './http/routes/health.js';
import { createIoServer } from './realtime/io-server.js';
import { HubNodeRepository } from './domain/hub-nodes/hub-node-repository.js';
import { HubNodeService } from './domain/hub-nodes/hub-node-service.js';
import { registerMaintenance } from './maintenance.js';
import { HUB_VERSION } from './version.js';
import { AppError } from './errors.js';

export type AppConfig = Pick<Config, 'publicUrl' | 'workers'>;

export type AgentNamespace = Namespace<AgentToHubEvents, HubToAgentEvents>;
export type LiveNamespace = Namespace<LiveClientToServerEvents, LiveServerToClientEvents>;

/** Who may join which `/live` rooms; resolved from the handshake (cookie or token). */
export type LiveAuthenticator = (handshake: { headers: Record<string, string | string[] | undefined>; auth: Record<string, unknown> }) => Promise<{ rooms: string[] } | null>;

export interface AppDeps {
  config: AppConfig;
  logger: Logger;
  infra: Infra;
  /** Overrides the /live authenticator (tests of the transport itself). */
  liveAuthenticator?: LiveAuthenticator;
}

export interface App {
  nodeId: string;
  http: HttpServer;
  io: IoServer;
  agents: AgentNamespace;
  live: LiveNamespace;
  hubNodes: HubNodeService;
  /** Starts listening, workers and the node heartbeat. */
  listen(port: number, host?: string): Promise<AddressInfo>;
  /** Graceful stop: refuse new work, close sockets, drain workers. Infra is closed by the caller. */
  close(): Promise<void>;
}

/** Builds a hub from injected connections; does no I/O until `listen`. */
export function createApp(deps: AppDeps): App {
  const { logger, infra } = deps;
  const nodeId = `${randomUUID().slice(0, 8)}`;
  const log = logger.child({ node: nodeId });
  let shuttingDown = false;

  const hubNodes = new HubNodeService(nodeId, new HubNodeRepository(infra.db), HUB_VERSION, (err) =>
    log.warn({ err }, 'hub node heartbeat failed'),
  );

  const koa = createKoaApp({
    logger: log,
    rootRouters: [healthRoutes(infra.checks, () => shuttingDown)],
    apiRouters: [],
  });
  const http = createServer(koa.callback());
  const io = createIoServer(http, infra.adapter);
  const agents: AgentNamespace = io.of('/agent');
  const live: LiveNamespace = io.of('/live');

  const liveAuthenticator = deps.liveAuthenticator ?? (async () => null);
  live.use((socket, next) => {
    liveAuthenticator({ headers: socket.handshake.headers, auth: socket.handshake.auth })
      .then((grant) => {
        if (!grant) return next(socketError(new AppError('UNAUTHORIZED', 'Sign in or present an API token')));
        void socket.join(grant.rooms);
        next();
      })
      .catch((err: unknown) => {
        log.error({ err }, 'live authentication failed');
        next(socketError(new AppError('INTERNAL', 'Internal error')));
      });
  });
  agents.use((_socket, next) => next(socketError(new AppError('UNAUTHORIZED', 'Unknown agent'))));

  return {
    nodeId,
    http,
    io,
    agents,
    live,
    hubNodes,
    async listen(port, host) {
      await hubNodes.start();
      if (deps.config.workers) registerMaintenance(infra.queues, hubNodes, log);
      await new Promise<void>((resolve, reject) => {
        http.once('error', reject);
        http.listen(port, host, () => {
          http.off('error', reject);
          resolve();
        });
      });
      return http.address() as AddressInfo;
    },
    async close() {
      if (shuttingDown) return;
      shuttingDown = true;
      // io.close() disconnects every socket and closes the HTTP server (no new connections).
      await new Promise<void>((resolve) => {
        void io.close(() => resolve());
        http.closeAllConnections();
      });
      await infra.queues.closeWorkers();
      await hubNodes.stop().catch((err: unknown) => log.warn({ err }, 'could not deregister hub node'));
    },
  };
}

/** Socket.IO middleware errors carry the catalogue code in `data`, read by clients as `err.data.code`. */
export function socketError(err: AppError): Error & { data: { code: string } } {
  return Object.assign(new Error(err.message), { data: { code: err.code } });
}

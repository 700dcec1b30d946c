import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { Server as IoServer } from 'socket.io';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import type { Infra } from './infra/index.js';
import { createKoaApp } from './http/koa-app.js';
import { answerClientError } from './http/client-error.js';
import { authenticate } from './http/auth.js';
import { portal } from './http/portal.js';
import { openApiRoutes } from './http/routes/openapi.js';
import { apiDocsRoutes } from './http/api-docs.js';
import Router from '@koa/router';
import { healthRoutes } from './http/routes/health.js';
import { authRoutes } from './http/routes/auth.js';
import { memberRoutes } from './http/routes/members.js';
import { releaseRoutes } from './http/routes/releases.js';
import { rolloutRoutes } from './http/routes/rollouts.js';
import type { RouteDeps, RouteState } from './http/route.js';
import { smtpMailer } from './infra/mailer.js';
import { applicationRoutes } from './http/routes/applications.js';
import { customerRoutes } from './http/routes/customers.js';
import { installationRoutes } from './http/routes/installations.js';
import { installationConfigRoutes } from './http/routes/installation-config.js';
import { commandRoutes } from './http/routes/commands.js';
import { agentInstallRoutes } from './http/routes/agent-install.js';
import { agentPollingRoutes } from './http/routes/agent-polling.js';
import { brandingRoutes } from './http/routes/branding.js';
import { licenseRoutes } from './http/routes/licenses.js';
import { webhookRoutes } from './http/routes/webhooks.js';
import { supportBundleRoutes } from './http/routes/support-bundles.js';
import { registerWebhookWorkers } from './domain/webhooks/webhook-workers.js';
import { createIoServer } from './realtime/io-server.js';
import { socketNotifier } from './realtime/notifier.js';
import { registerAgentGateway } from './realtime/agent/agent-gateway.js';
import { reconnectWindowMs } from './realtime/agent/reconnect-window.js';
import { AgentOutbox } from './realtime/agent/agent-outbox.js';
import { createSecretBox } from './infra/secret-box.js';
import { agentCopyWith } from './domain/desired-state/agent-copy.js';
import { sessionLiveAuthenticator, type LiveAuthenticator } from './realtime/live/live-auth.js';
import { LogFollowRelay } from './realtime/live/log-follow-relay.js';
import { LogFollowService } from './domain/logs/log-follow-service.js';
import { LIVE_ACTIONS } from './http/route-access.js';
import { socketError } from './realtime/socket-error.js';
import type { AgentNamespace, LiveNamespace } from './realtime/namespaces.js';
import { HubNodeRepository } from './domain/hub-nodes/hub-node-repository.js';
import { HubNodeService } from './domain/hub-nodes/hub-node-service.js';
import { eventLoopMonitor } from './infra/event-loop.js';
import { hubMetrics, poolStats } from './infra/metrics.js';
import { metricsRoutes } from './http/routes/metrics.js';
import { CLOSE_POLL_SESSIONS, EVALUATE_ALERTS, SEND_NOTIFICATION_DIGESTS, METRICS_ROLLUP, PURGE_INSTALL_SECRETS, SEAL_PLAINTEXT_SECRETS, SWEEP_STALE_NODES, WEBHOOK_HOUSEKEEPING, SUPPORT_BUNDLE_HOUSEKEEPING, UPTIME_ROLLUP, registerMaintenance } from './maintenance.js';
import { alertRoutes } from './http/routes/alerts.js';
import { notificationRoutes } from './http/routes/notifications.js';
import { createServices, type Services } from './services.js';
import { HUB_VERSION } from './version.js';
import { AppError } from './errors.js';

export type AppConfig = Pick<Config, 'publicUrl' | 'publicUrlConfigured' | 'workers' | 'signupEnabled' | 'agentComposeImage' | 'agentHelmImage' | 'installTokenTtlMs' | 'portalDir' | 'smtpUrl' | 'smtpFrom' | 'apiRateLimitPerMinute' | 'trustProxy' | 'uptimeRetentionDays' | 'licenseKeySecret' | 'secretsKey' | 'metricsToken' | 'webhooks' | 'alertEvaluationMs' | 'notifyDigestSeconds' | 'logFollow' | 'supportBundles'>;
export type { AgentNamespace, LiveNamespace } from './realtime/namespaces.js';
export type { LiveAuthenticator } from './realtime/live/live-auth.js';

export interface AppDeps {
  config: AppConfig;
  logger: Logger;
  infra: Infra;
  /** Overrides the /live authenticator (tests of the transport itself). */
  liveAuthenticator?: LiveAuthenticator;
  /** Overrides how long agents have to acknowledge a desired state or a command (tests of retries). */
  agentAckTimeoutMs?: number;
}

export interface App {
  nodeId: string;
  http: HttpServer;
  io: IoServer;
  agents: AgentNamespace;
  live: LiveNamespace;
  hubNodes: HubNodeService;
  services: Services;
  /** The /api/v1 router (its stack lists every registered REST route). */
  api: Router<RouteState>;
  /** Starts listening, workers and the node heartbeat. */
  listen(port: number, host?: string): Promise<AddressInfo>;
  /** Graceful stop: refuse new work, close sockets, drain workers. Infra is closed by the caller. */
  close(): Promise<void>;
}

const LISTEN_BACKLOG = 8192;
/** A shutdown slower than this logs where its time went (milliseconds since the signal, per phase). */
const SLOW_SHUTDOWN_MS = 5000;

/** Builds a hub from injected connections; does no I/O until `listen`. */
export function createApp(deps: AppDeps): App {
  const { logger, infra, config } = deps;
  const nodeId = randomUUID().slice(0, 8);
  const log = logger.child({ node: nodeId });
  let shuttingDown = false;

  const http = createServer();
  const io = createIoServer(http, infra.adapter);
  const agents: AgentNamespace = io.of('/agent');
  const live: LiveNamespace = io.of('/live');
  const eventLoop = eventLoopMonitor(log.child({ component: 'event-loop' }));
  const metrics = hubMetrics(
    {
      agentsConnected: () => agents.sockets.size,
      liveClientsConnected: () => live.sockets.size,
      eventLoopLagMs: () => eventLoop.lagMs(),
      dbPool: () => poolStats(infra.db),
      queueCounts: () => infra.queues.counts(),
    },
    log.child({ component: 'metrics' }),
  );
  infra.queues.onJobFailed((queue) => metrics.jobFailed(queue));
  // Construction order: the agent outbox first, then the services. Services notify through the
  // outbox (the Notifier's desiredState and deliverCommand), and the outbox's queued retries read
  // what services store: those readers are given at `listen` (outbox.start), when the worker starts.
  // Pushing and queueing read nothing, so nothing here refers to a value declared later.
  // One key seals every secret the hub must read again (SECRETS_KEY, or embedded mode's generated
  // one): the services seal and store with it, the outbox opens desired states for their agent.
  const secretBox = createSecretBox(config.secretsKey);
  const outbox = new AgentOutbox(agents, infra.queues, log.child({ component: 'agent-outbox' }), {
    forAgent: agentCopyWith(secretBox),
    ...(deps.agentAckTimeoutMs === undefined ? {} : { ackTimeoutMs: deps.agentAckTimeoutMs }),
    onPushed: (outcome, seconds) => metrics.pushed(outcome, seconds),
  });
  const notifier = socketNotifier(agents, live, outbox);
  const mailer = config.smtpUrl ? smtpMailer(config.smtpUrl, config.smtpFrom) : undefined;
  const services = createServices(config, infra, secretBox, notifier, log, mailer, {
    webhookAttempt: (outcome, seconds) => metrics.webhookAttempt(outcome, seconds),
    rolloutStep: (phase, seconds) => metrics.rolloutStep(phase, seconds),
    batchFlush: (batcher, flush) => metrics.batchFlush(batcher, flush),
  });
  const secureCookies = config.publicUrl.startsWith('https:');
  const routeDeps: RouteDeps = {
    audit: services.audit,
    apiLimiter: infra.rateLimiters({ name: 'api', points: config.apiRateLimitPerMinute, durationSeconds: 60 }),
    log,
  };
  const api = new Router<RouteState>();
  authRoutes(api, routeDeps, services.auth, services.tokens, notifier, secureCookies);
  memberRoutes(api, routeDeps, services.members, services.audit, secureCookies);
  applicationRoutes(api, routeDeps, services.applications);
  customerRoutes(api, routeDeps, services.customers);
  brandingRoutes(api, routeDeps, services.branding);
  webhookRoutes(api, routeDeps, services.webhooks);
  alertRoutes(api, routeDeps, services.alerts);
  notificationRoutes(api, routeDeps, services.notifications);
  releaseRoutes(api, routeDeps, services.releases, services.entitlements, services.fleet);
  licenseRoutes(api, routeDeps, services.licenses);
  rolloutRoutes(api, routeDeps, services.rollouts);
  installationRoutes(api, routeDeps, services.installations, services.deploys, services.credentials, services.releases, services.uninstalls, services.metrics);
  installationConfigRoutes(api, routeDeps, services.installationConfig);
  commandRoutes(api, routeDeps, services.commands);
  supportBundleRoutes(api, routeDeps, services.supportBundles);
  agentInstallRoutes(api, routeDeps, services.credentials);
  agentPollingRoutes(api, routeDeps, services.agentSessions);
  openApiRoutes(api, routeDeps, config.publicUrl);

  const hubNodes = new HubNodeService(nodeId, new HubNodeRepository(infra.db), HUB_VERSION, (err) => log.warn({ err }, 'hub node heartbeat failed'));
  hubNodes.whenNodesSwept((ids) => services.agentSessions.closeSessionsOfDeadNodes(ids));

  const koa = createKoaApp({
    logger: log,
    trustProxy: config.trustProxy,
    https: secureCookies,
    // The portal's static files need no session lookup, so they go first.
    middleware: [portal(config.portalDir, (hostname) => services.branding.forHost(hostname)), authenticate(services.auth, config.publicUrl)],
    rootRouters: [healthRoutes(infra.checks, eventLoop, () => shuttingDown), metricsRoutes(metrics, config.metricsToken), apiDocsRoutes()],
    onAnswered: (route, method, status, seconds) => metrics.httpRequest(route, method, status, seconds),
    apiRouter: api,
  });
  http.on('request', koa.callback());
  http.on('clientError', answerClientError);

  const liveAuthenticator = deps.liveAuthenticator ?? sessionLiveAuthenticator(services.auth);
  live.use((socket, next) => {
    liveAuthenticator({ headers: socket.handshake.headers, auth: socket.handshake.auth })
      .then((grant) => {
        if (!grant) return next(socketError(new AppError('UNAUTHORIZED', 'Sign in or present an API token')));
        void socket.join(grant.rooms);
        if (grant.memberships) socket.data.memberships = grant.memberships;
        next();
      })
      .catch((err: unknown) => {
        log.error({ err }, 'live authentication failed');
        next(socketError(new AppError('INTERNAL', 'Internal error')));
      });
  });
  const logFollows = new LogFollowRelay(live, agents, new LogFollowService(services.installations, LIVE_ACTIONS['logs:follow'].access), config.logFollow, log.child({ component: 'log-follows' }));
  logFollows.register();
  registerAgentGateway(agents, services.agentSessions, nodeId, log.child({ component: 'agent-gateway' }), infra.adapter !== undefined, config.trustProxy, (identity, chunk) => logFollows.relay(identity, chunk), services.supportBundles, (stage, seconds) => metrics.handshakeStage(stage, seconds));

  return {
    nodeId,
    http,
    io,
    agents,
    live,
    hubNodes,
    services,
    api,
    async listen(port, host) {
      await hubNodes.start();
      if (config.workers) {
        registerMaintenance(
          infra.queues,
          [
            { name: SWEEP_STALE_NODES, everyMs: 60_000, run: () => hubNodes.sweepStale() },
            { name: PURGE_INSTALL_SECRETS, everyMs: 3600_000, run: () => services.purgeExpiredInstallSecrets() },
            // At start (a key configured on an existing deployment seals what was stored plain), then daily.
            // Lost delivery jobs queued again, the delivery log kept to its retention.
            { name: WEBHOOK_HOUSEKEEPING, everyMs: 60_000, run: () => services.webhookDelivery.housekeeping() },
            // Bundles whose agent went silent fail; those past retention are deleted with their archives.
            { name: SUPPORT_BUNDLE_HOUSEKEEPING, everyMs: 60_000, run: () => services.supportBundles.housekeeping() },
            { name: SEAL_PLAINTEXT_SECRETS, everyMs: 24 * 3600_000, runAtStart: true, run: () => services.sealPlaintextSecrets() },
            { name: CLOSE_POLL_SESSIONS, everyMs: 5_000, run: () => services.agentSessions.closeExpiredPollSessions() },
            // Hourly, 5 minutes past the hour (an hour is rolled up 2 minutes after it ends), and at
            // start: a hub that was down catches up at once.
            { name: EVALUATE_ALERTS, everyMs: config.alertEvaluationMs, run: () => services.alerts.evaluateAll() },
            // One digest per user per interval; at start too (what was due while the hub was down).
            { name: SEND_NOTIFICATION_DIGESTS, everyMs: config.notifyDigestSeconds * 1000, runAtStart: true, run: () => services.notifications.sendDigests() },
            { name: UPTIME_ROLLUP, everyMs: 3600_000, offsetMs: 5 * 60_000, runAtStart: true, run: () => services.uptimeRollup.run() },
            // Every 5 minutes, 30 s past (a bucket's last samples have arrived), and at start to catch up.
            { name: METRICS_ROLLUP, everyMs: 5 * 60_000, offsetMs: 30_000, runAtStart: true, run: () => services.metricsRollup.run() },
          ],
          log.child({ component: 'maintenance' }),
        );
        services.rolloutEngine.start();
        registerWebhookWorkers(infra.queues, services.webhookDelivery, services.eventOutbox, config.webhooks.pollMs, log.child({ component: 'webhooks' }));
        outbox.start({ desiredStates: services.desiredStates, commands: services.commands });
      }
      await new Promise<void>((resolve, reject) => {
        http.once('error', reject);
        // A restarted hub meets every agent at once: Node's default backlog (511) overflows and
        // the kernel drops SYNs, which clients retry after 1, 3, 7, 15… s. The kernel caps this at somaxconn.
        http.listen({ port, host, backlog: LISTEN_BACKLOG }, () => {
          http.off('error', reject);
          resolve();
        });
      });
      return http.address() as AddressInfo;
    },
    async close() {
      if (shuttingDown) return;
      shuttingDown = true;
      // Each phase's duration is logged: a stop that exceeds SHUTDOWN_TIMEOUT_MS shows where it hung.
      const t0 = Date.now();
      const phases: Record<string, number> = {};
      const phase = (name: string) => {
        phases[name] = Date.now() - t0;
        log.info({ phase: name, ms: phases[name] }, 'shutdown phase done');
      };
      // Desired states pushed from here on would meet closing sockets: each agent's hello on
      // reconnect returns its current state anyway.
      outbox.stop();
      // Agents come back spread over a window sized to how many this process holds, instead of
      // all at once or after an escalated backoff (see HubRestarting).
      const agentCount = agents.sockets.size;
      agents.local.emit('hub:restarting', { reconnectWithinMs: reconnectWindowMs(agentCount) });
      await new Promise((resolve) => setImmediate(resolve));
      // io.close() disconnects every socket and closes the HTTP server (no new connections); at the
      // same time the workers take no new job and a running rollout step finishes (it holds its
      // installations' row locks until it commits). Once the sockets are closed, every session this
      // process held ends in one statement, beside the workers draining (the per-socket disconnect
      // writes may still be queued when the caller closes the database).
      const sessionsClosed = new Promise<void>((resolve) => {
        void io.close(() => resolve());
        http.closeAllConnections();
      }).then(async () => {
        phase('sockets closed');
        await services.agentSessions.closeSessionsOfDeadNodes([nodeId], 'hub process shut down').catch((err: unknown) => log.warn({ err }, 'could not close this node\'s agent sessions'));
        // Their offline statuses are coalesced until the end of the turn: published now, before the
        // caller closes Redis (portal users on other hub processes would never see them go offline).
        notifier.flushLive();
        phase('sessions closed');
      });
      await Promise.all([sessionsClosed, infra.queues.closeWorkers().then(() => phase('workers drained'))]);
      await hubNodes.stop().catch((err: unknown) => log.warn({ err }, 'could not deregister hub node'));
      phase('deregistered');
      eventLoop.stop();
      if (Date.now() - t0 > SLOW_SHUTDOWN_MS) log.warn({ phases, agents: agentCount }, 'slow shutdown');
    },
  };
}

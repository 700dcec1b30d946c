import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Logger } from '../logger.js';
import type { Database } from './database.js';

/**
 * The hub's own metrics in Prometheus' format (prom-client). Each process has its own registry (tests
 * run several hubs in one process; Prometheus scrapes each hub process and sums). Counters are fed
 * where things happen; gauges are read from their sources at scrape time, so an idle hub costs nothing.
 */
export interface HubMetrics {
  readonly contentType: string;
  /** The exposition text of every metric, gauges read now. */
  text(): Promise<string>;
  /** An HTTP request answered: its route template ('static' for the portal's files, 'unmatched' for a 404). */
  httpRequest(route: string, method: string, status: number, seconds: number): void;
  /** A desired state pushed to an agent's socket: how it ended and how long until then. */
  pushed(outcome: PushOutcome, seconds: number): void;
  /** A job that threw (BullMQ retries it or gives up). */
  jobFailed(queue: string): void;
  /** A webhook delivery attempt: how it ended and how long the receiver took. */
  webhookAttempt(outcome: WebhookAttemptOutcome, seconds: number): void;
  /** One phase of a rollout step that changed something (where a fan-out's time goes). */
  rolloutStep(phase: RolloutStepPhase, seconds: number): void;
  /** One stage of an agent's handshake, on this process (where a connect storm's time goes). */
  handshakeStage(stage: HandshakeStage, seconds: number): void;
  /** One flush of a named batch of the agents' connect path (which one queues in a storm). */
  batchFlush(batcher: string, flush: { items: number; waitedSeconds: number; seconds: number }): void;
}

/**
 * An agent handshake's stages: `authenticate` (rate limits, credentials), `session` (opened in the
 * session table under the agent's lock), `hello` (its report stored, desired state, commands and
 * license read).
 */
export type HandshakeStage = 'authenticate' | 'session' | 'hello';

/**
 * A rollout step's phases: `read` (lock, targets, releases), `plan` (the planner and the blockers),
 * `persist` (revisions, targets, timeline), `commit`, `deliver` (desired states handed to the agent
 * outbox and the live progress, after commit).
 */
export type RolloutStepPhase = 'lock' | 'read' | 'plan' | 'persist' | 'commit' | 'deliver';

/** `retrying`: failed, BullMQ tries again later; `failed`: failed for good (last attempt, or a manual redelivery). */
export type WebhookAttemptOutcome = 'succeeded' | 'retrying' | 'failed';

export type PushOutcome = 'accepted' | 'offline' | 'unacknowledged';

/** What the gauges read at scrape time. */
export interface MetricSources {
  agentsConnected(): number;
  liveClientsConnected(): number;
  eventLoopLagMs(): number;
  dbPool(): { used: number; free: number; pending: number } | undefined;
  /** Jobs per queue and state (waiting, active, delayed, failed…). */
  queueCounts(): Promise<Record<string, Record<string, number>>>;
}

/** A scrape waits this long for the queue backend, then reports the rest without queue depths. */
const QUEUE_COUNTS_TIMEOUT_MS = 2000;

export function hubMetrics(sources: MetricSources, log: Logger): HubMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ app: 'flotilla-hub' });
  collectDefaultMetrics({ register: registry });

  const httpRequests = new Counter({
    name: 'flotilla_http_requests_total',
    help: 'HTTP requests answered, by route template, method and status class',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [registry],
  });
  const httpSeconds = new Histogram({
    name: 'flotilla_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by route template',
    labelNames: ['route', 'method'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const pushSeconds = new Histogram({
    name: 'flotilla_desired_state_push_seconds',
    help: "From pushing a desired state to an agent's socket to its acknowledgement (or the ack timeout), by outcome",
    labelNames: ['outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const webhookSeconds = new Histogram({
    name: 'flotilla_webhook_delivery_seconds',
    help: "A webhook delivery attempt, from sending to the receiver's answer (or the timeout), by outcome",
    labelNames: ['outcome'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const rolloutStepSeconds = new Histogram({
    name: 'flotilla_rollout_step_seconds',
    help: 'Time a rollout step that changed something spent in each phase (lock: waiting for the rollout row, read, plan, persist, commit, deliver)',
    labelNames: ['phase'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const handshakeSeconds = new Histogram({
    name: 'flotilla_agent_handshake_seconds',
    help: "Time an agent's handshake spent in each stage on this process (authenticate, session, hello)",
    labelNames: ['stage'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const batchFlushSeconds = new Histogram({
    name: 'flotilla_batch_flush_seconds',
    help: 'Time one flush of a batch of the agents\' connect path took, by batch',
    labelNames: ['batcher'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const batchWaitSeconds = new Histogram({
    name: 'flotilla_batch_wait_seconds',
    help: 'How long the oldest item of a flush waited for it to start, by batch',
    labelNames: ['batcher'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const batchItems = new Counter({ name: 'flotilla_batch_items_total', help: 'Items written or read by the batches of the agents\' connect path, by batch', labelNames: ['batcher'] as const, registers: [registry] });
  const jobFailures = new Counter({ name: 'flotilla_queue_job_failures_total', help: 'Queue jobs that threw, by queue', labelNames: ['queue'] as const, registers: [registry] });

  new Gauge({
    name: 'flotilla_agents_connected',
    help: 'Agent sockets this hub process holds',
    registers: [registry],
    collect() {
      this.set(sources.agentsConnected());
    },
  });
  new Gauge({
    name: 'flotilla_live_clients_connected',
    help: 'Portal and SDK /live sockets this hub process holds',
    registers: [registry],
    collect() {
      this.set(sources.liveClientsConnected());
    },
  });
  new Gauge({
    name: 'flotilla_event_loop_lag_seconds',
    help: "The longest delay of this process's event loop over the last second",
    registers: [registry],
    collect() {
      this.set(sources.eventLoopLagMs() / 1000);
    },
  });
  new Gauge({
    name: 'flotilla_db_pool_connections',
    help: 'PostgreSQL pool connections by state (pending: requests waiting for one)',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const pool = sources.dbPool();
      if (!pool) return;
      this.set({ state: 'used' }, pool.used);
      this.set({ state: 'free' }, pool.free);
      this.set({ state: 'pending' }, pool.pending);
    },
  });
  new Gauge({
    name: 'flotilla_queue_jobs',
    help: 'Jobs per queue and state (shared by every hub process of the deployment)',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      let timer: NodeJS.Timeout | undefined;
      try {
        const counts = await Promise.race([
          sources.queueCounts(),
          new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer in ${QUEUE_COUNTS_TIMEOUT_MS} ms`)), QUEUE_COUNTS_TIMEOUT_MS))),
        ]);
        this.reset();
        for (const [queue, states] of Object.entries(counts)) for (const [state, n] of Object.entries(states)) this.set({ queue, state }, n);
      } catch (err) {
        // The scrape still answers (a failing queue backend shows in /readyz and the logs).
        this.reset();
        log.warn({ err }, 'metrics: could not read queue depths');
      } finally {
        clearTimeout(timer);
      }
    },
  });

  return {
    contentType: registry.contentType,
    text: () => registry.metrics(),
    httpRequest(route, method, status, seconds) {
      httpRequests.inc({ route, method, status: `${Math.floor(status / 100)}xx` });
      httpSeconds.observe({ route, method }, seconds);
    },
    pushed(outcome, seconds) {
      pushSeconds.observe({ outcome }, seconds);
    },
    jobFailed(queue) {
      jobFailures.inc({ queue });
    },
    webhookAttempt(outcome, seconds) {
      webhookSeconds.observe({ outcome }, seconds);
    },
    rolloutStep(phase, seconds) {
      rolloutStepSeconds.observe({ phase }, seconds);
    },
    handshakeStage(stage, seconds) {
      handshakeSeconds.observe({ stage }, seconds);
    },
    batchFlush(batcher, flush) {
      batchFlushSeconds.observe({ batcher }, flush.seconds);
      batchWaitSeconds.observe({ batcher }, flush.waitedSeconds);
      batchItems.inc({ batcher }, flush.items);
    },
  };
}

/** knex's connection pool (tarn) in numbers; undefined before the pool exists. */
export function poolStats(db: Database): { used: number; free: number; pending: number } | undefined {
  const pool = (db.client as { pool?: TarnPool }).pool;
  if (!pool) return undefined;
  return { used: pool.numUsed(), free: pool.numFree(), pending: pool.numPendingAcquires() };
}

interface TarnPool {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
}

import { Redis } from 'ioredis';
import { createRedisBackend, withBackend } from 'bullmq';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { createDatabase, pingDatabase, type Database } from './database.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';
import { bullQueues, type Queues } from './queues.js';
import { guardedPostgresBackend } from './bullmq-postgres.js';
import { redisStreamsAdapter, type AdapterConstructor } from './io-adapter.js';
import { memoryRateLimiters, redisRateLimiters, type RateLimiterFactory } from './rate-limit.js';
import { quitRedis } from './redis-quit.js';

export type { Database } from './database.js';
export type { Queues, QueueName, JobQueue, JobInfo } from './queues.js';
export type { AdapterConstructor } from './io-adapter.js';
export { RateLimitedError, type RateLimiter, type RateLimiterFactory, type RateLimitRule } from './rate-limit.js';

/** The connections a hub process runs on. Mode selection (embedded vs production) lives here only. */
export interface Infra {
  db: Database;
  queues: Queues;
  adapter: AdapterConstructor;
  rateLimiters: RateLimiterFactory;
  checks: { database(): Promise<void>; queue(): Promise<void>; adapter(): Promise<void> };
  /** A short description for the startup log, e.g. "PostgreSQL (embedded) + BullMQ on PostgreSQL". */
  description: string;
  close(): Promise<void>;
}

export type InfraConfig = Pick<Config, 'databaseUrl' | 'redisUrl' | 'redisPrefix' | 'dataDir' | 'embeddedPgPort'>;

export async function openInfra(config: InfraConfig, logger: Logger): Promise<Infra> {
  const closers: (() => Promise<unknown>)[] = [];
  const closeAll = async () => {
    for (const close of closers.splice(0).reverse()) await close().catch((err: unknown) => logger.warn({ err }, 'close failed'));
  };
  try {
    let databaseUrl = config.databaseUrl;
    if (!databaseUrl) {
      const embedded = await startEmbeddedPostgres(config.dataDir, config.embeddedPgPort, logger);
      closers.push(() => embedded.stop());
      databaseUrl = embedded.url;
    }
    const db = createDatabase(databaseUrl);
    closers.push(() => db.destroy());
    const log = logger.child({ component: 'queues' });

    if (config.redisUrl) {
      const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null, lazyConnect: false });
      redis.on('error', (err) => logger.warn({ err }, 'redis error'));
      closers.push(() => quitRedis(redis));
      // Socket.IO's adapter and the rate limiters send one small command per connect or message: with
      // auto-pipelining, all commands of one event-loop tick share one write (a reconnect storm is
      // thousands per second). BullMQ keeps plain connections (blocking commands).
      const pipelined = redis.duplicate({ enableAutoPipelining: true });
      pipelined.on('error', (err) => logger.warn({ err }, 'redis error'));
      closers.push(() => quitRedis(pipelined));
      // BullMQ needs its own connections (blocking commands); it duplicates from these options.
      const queues = bullQueues(withBackend(createRedisBackend), redis, `${config.redisPrefix}:bull`, log);
      closers.push(() => queues.close());
      return {
        db,
        queues,
        adapter: redisStreamsAdapter(pipelined, config.redisPrefix),
        rateLimiters: redisRateLimiters(pipelined, config.redisPrefix),
        checks: {
          database: () => pingDatabase(db),
          queue: () => queues.ping(),
          adapter: async () => void (await pipelined.ping()),
        },
        description: `PostgreSQL${config.databaseUrl ? '' : ' (embedded)'} + Redis (BullMQ, Socket.IO streams adapter)`,
        close: closeAll,
      };
    }

    const queues = bullQueues(withBackend(guardedPostgresBackend), { connectionString: databaseUrl, schema: 'bullmq', migrate: true, max: 5 }, undefined, log);
    closers.push(() => queues.close());
    return {
      db,
      queues,
      adapter: undefined,
      rateLimiters: memoryRateLimiters(),
      checks: {
        database: () => pingDatabase(db),
        queue: () => queues.ping(),
        // The in-memory adapter lives in this process: it is up while the process is.
        adapter: async () => undefined,
      },
      description: `PostgreSQL${config.databaseUrl ? '' : ' (embedded)'} (BullMQ on PostgreSQL, in-memory Socket.IO adapter)`,
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

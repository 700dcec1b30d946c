import type { BackendClasses, IQueueBackend, JobsOptions } from 'bullmq';

/** Queue names are a contract between hub processes sharing one Redis or database (docs/architecture.md). */
export const QUEUE_NAMES = ['rollouts', 'agent-commands', 'webhooks', 'maintenance'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

export interface JobInfo<T> {
  id: string | undefined;
  name: string;
  data: T;
  attemptsMade: number;
  /** Lets jobs added from now on with this job's deduplication id be queued again (see RolloutEngine.trigger). */
  releaseDeduplication(): Promise<void>;
}

export interface JobQueue<T> {
  add(name: string, data: T, opts?: JobsOptions): Promise<{ id: string | undefined }>;
  /** Many jobs in one round trip. */
  addBulk(jobs: readonly { name: string; data: T; opts?: JobsOptions }[]): Promise<void>;
  /**
   * Creates or updates a repeating job (BullMQ job scheduler); idempotent across hub processes.
   * With `offsetMs`, runs at that offset past each multiple of `everyMs` (e.g. 5 minutes past each hour).
   */
  schedule(schedulerId: string, everyMs: number, name: string, data: T, offsetMs?: number): Promise<void>;
  /** A job scheduler's interval, offset and next run (epoch ms); undefined when there is none. */
  scheduler(schedulerId: string): Promise<{ everyMs: number | null; offsetMs: number | null; nextRunAt: number | null } | undefined>;
  counts(): Promise<Record<string, number>>;
  /** completed | failed | active | waiting | delayed | … | unknown */
  state(jobId: string): Promise<string>;
}

export interface WorkerOptions {
  concurrency?: number;
}

/**
 * What the rest of the hub knows of queues: named queues and workers. Whether BullMQ runs on Redis
 * or on PostgreSQL is decided in `infra/index.ts` and invisible past this interface.
 */
export interface Queues {
  queue<T>(name: QueueName): JobQueue<T>;
  work<T>(name: QueueName, handler: (job: JobInfo<T>) => Promise<void>, opts?: WorkerOptions): void;
  /** Succeeds when the queue backend answers. */
  ping(): Promise<void>;
  /** Jobs per state of every queue (one round trip per queue). */
  counts(): Promise<Record<QueueName, Record<string, number>>>;
  /** Calls `listener` for each job of this process's workers that throws (metrics). */
  onJobFailed(listener: (queue: QueueName) => void): void;
  /** Stops taking jobs and waits for running ones; queues stay usable for producers. */
  closeWorkers(): Promise<void>;
  close(): Promise<void>;
}

export interface QueueErrorSink {
  error(obj: object, msg: string): void;
}

/** Builds `Queues` over any BullMQ backend: the Redis one or the PostgreSQL one. */
export function bullQueues<B extends IQueueBackend, C>(
  classes: BackendClasses<B, C>,
  connection: C,
  prefix: string | undefined,
  log: QueueErrorSink,
): Queues {
  const queues = new Map<QueueName, InstanceType<BackendClasses<B, C>['Queue']>>();
  const workers: InstanceType<BackendClasses<B, C>['Worker']>[] = [];
  const failureListeners: ((queue: QueueName) => void)[] = [];
  const base = prefix === undefined ? { connection } : { connection, prefix };

  const raw = (name: QueueName) => {
    let q = queues.get(name);
    if (!q) {
      q = new classes.Queue(name, { ...base, defaultJobOptions: { removeOnComplete: 1000, removeOnFail: 5000 } });
      q.on('error', (err: Error) => log.error({ err, queue: name }, 'queue error'));
      queues.set(name, q);
    }
    return q;
  };

  return {
    queue<T>(name: QueueName): JobQueue<T> {
      const q = raw(name);
      return {
        async add(jobName, data, opts) {
          const job = await q.add(jobName, data, opts);
          return { id: job.id };
        },
        async addBulk(jobs) {
          await q.addBulk(jobs.map((j) => ({ name: j.name, data: j.data, ...(j.opts ? { opts: j.opts } : {}) })));
        },
        async schedule(schedulerId, everyMs, jobName, data, offsetMs) {
          await q.upsertJobScheduler(schedulerId, offsetMs === undefined ? { every: everyMs } : { every: everyMs, offset: offsetMs }, { name: jobName, data });
        },
        async scheduler(schedulerId) {
          const s = await q.getJobScheduler(schedulerId);
          return s && { everyMs: s.every === undefined ? null : Number(s.every), offsetMs: s.offset === undefined ? null : Number(s.offset), nextRunAt: s.next ?? null };
        },
        async counts() {
          return q.getJobCounts();
        },
        async state(jobId) {
          return q.getJobState(jobId);
        },
      };
    },
    work<T>(name: QueueName, handler: (job: JobInfo<T>) => Promise<void>, opts: WorkerOptions = {}) {
      const w = new classes.Worker(
        name,
        async (job) =>
          handler({
            id: job.id,
            name: job.name,
            data: job.data as T,
            attemptsMade: job.attemptsMade,
            releaseDeduplication: async () => {
              await job.removeDeduplicationKey();
            },
          }),
        // After a connection error the worker waits runRetryDelay (BullMQ's default: 15 s) before
        // fetching again: a hub whose database or Redis is back should work within a second or two.
        { ...base, concurrency: opts.concurrency ?? 4, runRetryDelay: 1000 },
      );
      w.on('error', (err: Error) => log.error({ err, queue: name }, 'worker error'));
      w.on('failed', (job, err: Error) => {
        log.error({ err, queue: name, jobId: job?.id }, 'job failed');
        for (const listener of failureListeners) listener(name);
      });
      workers.push(w);
    },
    async ping() {
      // getJobCounts is a real round trip on both backends.
      await raw('maintenance').getJobCounts('waiting');
    },
    async counts() {
      const entries = await Promise.all(QUEUE_NAMES.map(async (name) => [name, await raw(name).getJobCounts()] as const));
      return Object.fromEntries(entries) as Record<QueueName, Record<string, number>>;
    },
    onJobFailed(listener) {
      failureListeners.push(listener);
    },
    async closeWorkers() {
      await Promise.all(workers.splice(0).map((w) => w.close()));
    },
    async close() {
      await this.closeWorkers();
      await Promise.all([...queues.values()].map((q) => q.close()));
      queues.clear();
    },
  };
}

import type { Queues } from './infra/index.js';
import type { Logger } from './logger.js';

export interface MaintenanceTask {
  /** Job name and scheduler id. */
  name: string;
  everyMs: number;
  run(): Promise<unknown>;
}

/** Periodic housekeeping on the `maintenance` queue; any hub process's worker may run any task. */
export function registerMaintenance(queues: Queues, tasks: MaintenanceTask[], log: Logger): void {
  const byName = new Map(tasks.map((t) => [t.name, t]));
  queues.work<Record<string, never>>(
    'maintenance',
    async (job) => {
      const task = byName.get(job.name);
      if (!task) throw new Error(`Unknown maintenance job ${job.name}`);
      const result = await task.run();
      log.debug({ task: task.name, result }, 'maintenance task done');
    },
    { concurrency: 1 },
  );
  const queue = queues.queue<Record<string, never>>('maintenance');
  for (const t of tasks) {
    queue.schedule(t.name, t.everyMs, t.name, {}).catch((err: unknown) => log.error({ err, task: t.name }, 'could not schedule maintenance task'));
  }
}

export const SWEEP_STALE_NODES = 'sweep-stale-nodes';
export const PURGE_INSTALL_SECRETS = 'purge-install-secrets';
export const CLOSE_POLL_SESSIONS = 'close-poll-sessions';

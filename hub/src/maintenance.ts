import type { Queues } from './infra/index.js';
import type { Logger } from './logger.js';

export interface MaintenanceTask {
  /** Job name and scheduler id. */
  name: string;
  everyMs: number;
  /** Runs at this offset past each multiple of `everyMs` (e.g. a few minutes past each hour). */
  offsetMs?: number;
  /** Also run once when the process starts (e.g. to catch up after downtime without waiting for the first slot). */
  runAtStart?: boolean;
  /** A result with `more: true` (a bounded run left work over) queues the task again at once. */
  run(): Promise<unknown>;
}

const wantsMore = (result: unknown): boolean => typeof result === 'object' && result !== null && 'more' in result && result.more === true;

/** Periodic housekeeping on the `maintenance` queue; any hub process's worker may run any task. */
export function registerMaintenance(queues: Queues, tasks: MaintenanceTask[], log: Logger): void {
  const byName = new Map(tasks.map((t) => [t.name, t]));
  const queue = queues.queue<Record<string, never>>('maintenance');
  queues.work<Record<string, never>>(
    'maintenance',
    async (job) => {
      const task = byName.get(job.name);
      if (!task) throw new Error(`Unknown maintenance job ${job.name}`);
      const result = await task.run();
      log.debug({ task: task.name, result }, 'maintenance task done');
      if (wantsMore(result)) await queue.add(task.name, {});
    },
    { concurrency: 1 },
  );
  for (const t of tasks) {
    queue.schedule(t.name, t.everyMs, t.name, {}, t.offsetMs).catch((err: unknown) => log.error({ err, task: t.name }, 'could not schedule maintenance task'));
    if (t.runAtStart) queue.add(t.name, {}).catch((err: unknown) => log.error({ err, task: t.name }, 'could not queue maintenance task'));
  }
}

export const SWEEP_STALE_NODES = 'sweep-stale-nodes';
export const METRICS_ROLLUP = 'metrics-rollup';
export const PURGE_INSTALL_SECRETS = 'purge-install-secrets';
export const SEAL_PLAINTEXT_SECRETS = 'seal-plaintext-secrets';
export const WEBHOOK_HOUSEKEEPING = 'webhook-housekeeping';
export const CLOSE_POLL_SESSIONS = 'close-poll-sessions';
export const UPTIME_ROLLUP = 'uptime-rollup';
export const EVALUATE_ALERTS = 'evaluate-alerts';
export const SEND_NOTIFICATION_DIGESTS = 'send-notification-digests';
/** Fails support bundles whose agent went silent; deletes those past SUPPORT_BUNDLE_RETENTION_DAYS. */
export const SUPPORT_BUNDLE_HOUSEKEEPING = 'support-bundle-housekeeping';

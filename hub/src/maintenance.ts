import type { Queues } from './infra/index.js';
import type { Logger } from './logger.js';
import type { HubNodeService } from './domain/hub-nodes/hub-node-service.js';

export const SWEEP_STALE_NODES = 'sweep-stale-nodes';
const SWEEP_EVERY_MS = 60_000;

/** Periodic housekeeping on the `maintenance` queue; any hub process's worker may run it. */
export function registerMaintenance(queues: Queues, hubNodes: HubNodeService, log: Logger): void {
  queues.work<Record<string, never>>('maintenance', async (job) => {
    if (job.name === SWEEP_STALE_NODES) {
      const swept = await hubNodes.sweepStale();
      if (swept.length > 0) log.info({ swept }, 'swept stale hub nodes');
      return;
    }
    throw new Error(`Unknown maintenance job ${job.name}`);
  }, { concurrency: 1 });
  queues
    .queue<Record<string, never>>('maintenance')
    .schedule(SWEEP_STALE_NODES, SWEEP_EVERY_MS, SWEEP_STALE_NODES, {})
    .catch((err: unknown) => log.error({ err }, 'could not schedule the stale-node sweep'));
}

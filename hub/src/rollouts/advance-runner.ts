import type { Queues } from '../infra/index.js';
import type { Logger } from '../logger.js';
import { agentEventDelay, type AdvanceTiming } from './advance-pacing.js';

export const ADVANCE_JOB = 'advance';

/** An advance job; `debounceMs` marks one asked for by agent events (paced, see trigger). */
interface AdvanceJob {
  rolloutId: string;
  debounceMs?: number;
}

/**
 * When rollouts advance: advance jobs on the `rollouts` queue, run by any hub process's worker,
 * coalesced per rollout, paced when agent events ask for them, one at a time per rollout on this
 * process. What an advance does is the engine's (`advance`, which returns whether the rollout is
 * still pending or running).
 */
export class AdvanceRunner {
  /** The last advance of each unfinished rollout on this process (see trigger). */
  private readonly advances = new Map<string, AdvanceTiming>();
  /** The advance of each rollout running on this process now. */
  private readonly running = new Map<string, Promise<unknown>>();

  constructor(
    private readonly queues: Queues,
    private readonly advance: (rolloutId: string) => Promise<boolean>,
    private readonly log: Logger,
  ) {}

  /**
   * Asks any hub process's worker to advance the rollout now. Events are coalesced per rollout:
   * while an advance waits in the queue, later events ride on it (it has not read the database
   * yet). The worker releases the deduplication id as it starts (see `start`), so an event during a
   * running advance queues the next one, and a job stranded on a crashed process blocks nothing.
   * 10 000 agent reports cost a handful of advances, and no event is lost. `debounceMs` holds the
   * advance back a little so that a stream of agent events (a reconnect storm) gathers into fewer,
   * larger ones: each advance plans over every target of the rollout.
   */
  async trigger(rolloutId: string, debounceMs = 0): Promise<void> {
    // Agent events let the rollout rest after its last advance here (advance-pacing): however large
    // the rollout, advancing it takes at most about a third of this process's time.
    const delay = debounceMs > 0 ? agentEventDelay(debounceMs, this.advances.get(rolloutId), Date.now()) : 0;
    await this.queues
      .queue<AdvanceJob>('rollouts')
      .add(ADVANCE_JOB, { rolloutId, ...(debounceMs > 0 ? { debounceMs } : {}) }, { deduplication: { id: `adv-${rolloutId}` }, ...(delay > 0 ? { delay } : {}), attempts: 5, backoff: { type: 'exponential', delay: 500 } });
  }

  /** An advance at `at` (a deadline of the planner's: health timeout, soak end, window opening). */
  async wakeAt(rolloutId: string, at: number): Promise<void> {
    const delay = Math.max(0, at - Date.now());
    await this.queues.queue<AdvanceJob>('rollouts').add(ADVANCE_JOB, { rolloutId }, { jobId: `wake-${rolloutId}-${at}`, delay, attempts: 5, backoff: { type: 'exponential', delay: 500 } });
  }

  /** Runs the worker on this process and re-arms each of `rearm`'s rollouts (after a crash, nothing waits forever). */
  start(rearm: () => Promise<string[]>): void {
    this.queues.work<AdvanceJob>(
      'rollouts',
      async (job) => {
        await job.releaseDeduplication();
        const { rolloutId: id, debounceMs } = job.data;
        const busy = this.running.get(id);
        if (busy && debounceMs) {
          // Agent events while this process advances the rollout: run now, the job would wait for
          // the row lock and start as that advance commits, with no rest. They ride on the next
          // advance instead, paced from this one's end.
          await busy.catch(() => undefined);
          await this.trigger(id, debounceMs);
          return;
        }
        const run = this.timedAdvance(id);
        this.running.set(id, run);
        try {
          await run;
        } finally {
          if (this.running.get(id) === run) this.running.delete(id);
        }
      },
      { concurrency: 4 },
    );
    rearm()
      .then((ids) => Promise.all(ids.map((id) => this.trigger(id))))
      .catch((err: unknown) => this.log.error({ err }, 'could not re-arm running rollouts'));
  }

  /** An advance, timed for the pacing of the next (see trigger). */
  private async timedAdvance(id: string): Promise<void> {
    const startedAt = Date.now();
    const previous = this.advances.get(id);
    this.advances.set(id, { startedAt, endedAt: null, durationMs: previous?.durationMs ?? 0 });
    let unfinished = true;
    try {
      unfinished = await this.advance(id);
    } finally {
      if (unfinished) this.advances.set(id, { startedAt, endedAt: Date.now(), durationMs: Date.now() - startedAt });
      else this.advances.delete(id);
    }
  }
}

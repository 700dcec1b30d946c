import { FINISHED_ROLLOUT_STATUSES, isFinishedRolloutStatus, type Rollout, type RolloutTimelineEvent } from '@flotilla/protocol';
import type { FlotillaClient } from './client.js';
import type { LiveClient } from './live.js';

/** The protocol's finished rollout statuses (re-exported: integrators import them from here). */
export { FINISHED_ROLLOUT_STATUSES };

export interface FollowRolloutOptions {
  /** Each event of the rollout's persisted timeline, once and in order, including those sent while disconnected. */
  onEvent?(event: RolloutTimelineEvent): void;
  /** The rollout as it stands after each change (waves, every target). */
  onRollout?(rollout: Rollout): void;
  /** Stop following when this holds as well (e.g. `paused`); finished rollouts always stop it. */
  until?(rollout: Rollout): boolean;
  signal?: AbortSignal;
}

/**
 * Follows one rollout until it finishes: `rollout:progress` on `/live` says when something moved,
 * and the persisted timeline (`GET /rollouts/:id/timeline?after=<last id>`) says what, so nothing is
 * lost across a reconnect: after a gap the next read returns what was missed. Reads are coalesced
 * (one at a time, one more if something moved meanwhile). Resolves with the last rollout state.
 */
export function followRollout(client: FlotillaClient, live: LiveClient, rolloutId: string, opts: FollowRolloutOptions = {}): Promise<Rollout> {
  return new Promise<Rollout>((resolve, reject) => {
    let after = 0;
    let reading = false;
    let again = false;
    let done = false;
    const cleanups: (() => void)[] = [];
    const finish = (fn: () => void) => {
      if (done) return;
      done = true;
      for (const c of cleanups) c();
      fn();
    };

    const read = async (): Promise<void> => {
      if (done) return;
      if (reading) {
        again = true;
        return;
      }
      reading = true;
      try {
        do {
          again = false;
          const { items } = await client.request('GET /rollouts/:id/timeline', { params: { id: rolloutId }, query: { after } });
          for (const e of items) {
            after = Math.max(after, Number(e.id));
            opts.onEvent?.(e);
          }
          const rollout = await client.request('GET /rollouts/:id', { params: { id: rolloutId } });
          opts.onRollout?.(rollout);
          if (isFinishedRolloutStatus(rollout.status) || opts.until?.(rollout)) {
            // Events written with the final status are in the timeline already: read them first.
            const rest = await client.request('GET /rollouts/:id/timeline', { params: { id: rolloutId }, query: { after } });
            for (const e of rest.items) opts.onEvent?.(e);
            finish(() => resolve(rollout));
            return;
          }
        } while (again && !done);
      } catch (err) {
        finish(() => reject(err as Error));
      } finally {
        reading = false;
      }
    };

    cleanups.push(
      live.on('rollout:progress', (p) => {
        if (p.rolloutId === rolloutId) void read();
      }),
      live.onGap(() => void read()),
    );
    if (opts.signal) {
      const onAbort = () => finish(() => reject(opts.signal?.reason instanceof Error ? opts.signal.reason : new Error('aborted')));
      opts.signal.addEventListener('abort', onAbort, { once: true });
      cleanups.push(() => opts.signal?.removeEventListener('abort', onAbort));
    }
    // Subscribed first, then read: anything after this read also triggers another one.
    live.connected().then(read, (err: unknown) => finish(() => reject(err as Error)));
  });
}

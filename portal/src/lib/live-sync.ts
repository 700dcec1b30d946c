import type { LiveConnectionState } from '../api/live';

/**
 * The portal's one way of showing hub data live: a snapshot fetched over REST, patched by `/live`
 * events. A store makes one feed and
 * - runs every hub call through `feed.fetch(work)`: events `offer`ed meanwhile are held and applied,
 *   in arrival order, once none of the feed's calls is out. An answer read before an event's change
 *   is then brought forward by the event; one read after it is at worst moved back for a moment and
 *   forward again by the later events, which the socket delivers in order;
 * - gets its `resync` called when the connection comes up and what it shows may have missed events:
 *   after a reconnect always, and on the first connect if it fetched anything before the socket was
 *   live (the socket joins its rooms only then).
 */
export interface LiveFeed {
  fetch<T>(work: () => Promise<T>): Promise<T>;
  /** Applies a live event's change now, or after the calls that are out. */
  offer(apply: () => void): void;
  /** Drops held events (the store was reset). */
  reset(): void;
}

export interface LiveSync {
  feed(resync: () => unknown): LiveFeed;
  /** The live connection's state changed (the live store's `onState`). */
  connectionChanged(state: LiveConnectionState): void;
}

export function createLiveSync(): LiveSync {
  let live = false;
  let upBefore = false;
  const onUp: ((reconnect: boolean) => void)[] = [];

  function feed(resync: () => unknown): LiveFeed {
    let calls = 0;
    let held: (() => void)[] = [];
    let fetchedOffline = false;
    onUp.push((reconnect) => {
      if (!reconnect && !fetchedOffline) return;
      fetchedOffline = false;
      void resync();
    });
    return {
      async fetch(work) {
        if (!live) fetchedOffline = true;
        calls++;
        try {
          return await work();
        } finally {
          calls--;
          if (calls === 0) {
            const events = held;
            held = [];
            for (const apply of events) apply();
          }
        }
      },
      offer(apply) {
        if (calls > 0) held.push(apply);
        else apply();
      },
      reset() {
        held = [];
        fetchedOffline = false;
      },
    };
  }

  function connectionChanged(state: LiveConnectionState): void {
    if (state !== 'live') {
      live = false;
      return;
    }
    if (live) return;
    live = true;
    const reconnect = upBefore;
    upBefore = true;
    for (const up of onUp) up(reconnect);
  }

  return { feed, connectionChanged };
}

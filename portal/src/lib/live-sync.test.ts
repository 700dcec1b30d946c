import { describe, expect, it } from 'vitest';
import { createLiveSync } from './live-sync';

/** A promise the test resolves when it wants (to put events in the middle of a hub call). */
function deferred<T>() {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('createLiveSync', () => {
  it('holds events offered while a call is out and applies them, in order, after the last one', async () => {
    const sync = createLiveSync();
    const feed = sync.feed(() => undefined);
    const log: string[] = [];
    const a = deferred<undefined>();
    const b = deferred<undefined>();
    const first = feed.fetch(() => a.promise.then(() => log.push('answer a')));
    const second = feed.fetch(() => b.promise.then(() => log.push('answer b')));
    feed.offer(() => log.push('event 1'));
    feed.offer(() => log.push('event 2'));
    a.resolve(undefined);
    await first;
    expect(log).toEqual(['answer a']);
    b.resolve(undefined);
    await second;
    expect(log).toEqual(['answer a', 'answer b', 'event 1', 'event 2']);
    feed.offer(() => log.push('event 3'));
    expect(log.at(-1)).toBe('event 3');
  });

  it('a failed call still releases the events it held', async () => {
    const feed = createLiveSync().feed(() => undefined);
    const log: string[] = [];
    const call = feed.fetch(() => Promise.reject(new Error('hub down')));
    feed.offer(() => log.push('event'));
    await expect(call).rejects.toThrow('hub down');
    expect(log).toEqual(['event']);
  });

  it('resyncs on the first connect only what was fetched before it, and every feed after a reconnect', async () => {
    const sync = createLiveSync();
    const resynced: string[] = [];
    const early = sync.feed(() => resynced.push('early'));
    sync.feed(() => resynced.push('idle'));
    await early.fetch(async () => undefined);
    sync.connectionChanged('connecting');
    sync.connectionChanged('live');
    expect(resynced).toEqual(['early']);
    // Fetched while live: nothing missed, no second fetch on a repeated state.
    await early.fetch(async () => undefined);
    sync.connectionChanged('live');
    expect(resynced).toEqual(['early']);
    sync.connectionChanged('reconnecting');
    sync.connectionChanged('live');
    expect(resynced).toEqual(['early', 'early', 'idle']);
  });

  it('reset drops held events', async () => {
    const feed = createLiveSync().feed(() => undefined);
    const log: string[] = [];
    const d = deferred<undefined>();
    const call = feed.fetch(() => d.promise);
    feed.offer(() => log.push('stale'));
    feed.reset();
    d.resolve(undefined);
    await call;
    expect(log).toEqual([]);
  });
});

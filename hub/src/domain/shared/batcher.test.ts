import { describe, expect, it } from 'vitest';
import { Batcher, stormBatching, type BatchFlush } from './batcher.js';

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

describe('Batcher', () => {
  it('flushes what was submitted in one event-loop turn together, and batches what arrives while flushes run', async () => {
    const batches: number[][] = [];
    const gates = [deferred(), deferred(), deferred()];
    const b = new Batcher<number, string>(
      async (items) => {
        const gate = gates[batches.length];
        batches.push(items);
        await gate?.promise;
        return items.map((i) => `r${i}`);
      },
      { maxBatch: 3, maxInFlight: 1 },
    );
    const first = b.submit(1);
    const firstTurn = [2].map((i) => b.submit(i));
    expect(batches).toEqual([]); // nothing before the turn ends
    await new Promise((r) => setImmediate(r));
    expect(batches).toEqual([[1, 2]]);
    const rest = [3, 4, 5, 6, 7].map((i) => b.submit(i));
    await new Promise((r) => setImmediate(r));
    expect(batches).toEqual([[1, 2]]); // one flush in flight at most
    expect(b.pending).toBe(5);
    gates[0]?.resolve();
    expect(await first).toBe('r1');
    expect(await Promise.all(firstTurn)).toEqual(['r2']);
    await new Promise((r) => setTimeout(r, 0));
    expect(batches).toEqual([[1, 2], [3, 4, 5]]); // capped at maxBatch
    gates[1]?.resolve();
    gates[2]?.resolve();
    expect(await Promise.all(rest)).toEqual(['r3', 'r4', 'r5', 'r6', 'r7']);
    expect(batches).toEqual([[1, 2], [3, 4, 5], [6, 7]]);
  });

  it('flushes a lone item without waiting for a timer', async () => {
    const b = new Batcher<number, number>(async (items) => items);
    const t0 = performance.now();
    expect(await b.submit(7)).toBe(7);
    expect(performance.now() - t0).toBeLessThan(50);
  });

  it('under load, starts flushes at most every lingerMs, so a stream of items goes in few batches', async () => {
    const batches: { at: number; items: number[] }[] = [];
    const t0 = performance.now();
    const b = new Batcher<number, number>(
      async (items) => {
        batches.push({ at: performance.now() - t0, items });
        return items;
      },
      { lingerMs: 40 },
    );
    // One item every 2 ms for 200 ms: without linger, ~100 flushes of one item.
    const all: Promise<number>[] = [];
    for (let i = 0; i < 100; i++) {
      all.push(b.submit(i));
      await new Promise((r) => setTimeout(r, 2));
    }
    const streamed = performance.now() - t0;
    expect(await Promise.all(all)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(batches[0]?.items).toEqual([0]); // the first item of a quiet period is not held back
    // At most one flush per lingerMs while the stream lasted, plus the first and the last: ~7 on a
    // quiet machine. Bounded by the time the stream really took (timers are late on a busy one),
    // never by the item count: without linger there would be ~100.
    expect(batches.length).toBeLessThanOrEqual(Math.ceil(streamed / 40) + 2);
    expect(batches.length).toBeLessThan(50);
    for (let i = 1; i < batches.length; i++) expect((batches[i]?.at ?? 0) - (batches[i - 1]?.at ?? 0)).toBeGreaterThanOrEqual(38);
  });

  it('lingers the full lingerMs even when the timer is armed late in a long turn', async () => {
    // Node's timers count from the loop's clock, cached when the turn began: a timer armed after
    // 15 ms of work in that turn fires 15 ms early by performance.now().
    const starts: number[] = [];
    let second: Promise<number> | undefined;
    const b = new Batcher<number, number>(
      async (items) => {
        starts.push(performance.now());
        if (items[0] === 0) {
          const spinUntil = performance.now() + 15;
          while (performance.now() < spinUntil); // a busy turn
          second = b.submit(1);
        }
        return items;
      },
      { lingerMs: 40 },
    );
    await b.submit(0);
    await second;
    expect(starts).toHaveLength(2);
    expect((starts[1] ?? 0) - (starts[0] ?? 0)).toBeGreaterThanOrEqual(40);
  });

  it('does not linger when a full batch is waiting: lingering caps nothing but the throughput', async () => {
    const batches: number[][] = [];
    const b = new Batcher<number, number>(
      async (items) => {
        batches.push(items);
        return items;
      },
      { lingerMs: 10_000, maxBatch: 3 },
    );
    const t0 = performance.now();
    const first = b.submit(0);
    await first; // a flush started just now: the next one would linger 10 s
    expect(await Promise.all([1, 2, 3, 4, 5, 6].map((i) => b.submit(i)))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(batches).toEqual([[0], [1, 2, 3], [4, 5, 6]]);
    expect(performance.now() - t0).toBeLessThan(5_000);
  });

  it('runs up to maxInFlight flushes at once', async () => {
    let running = 0;
    let peak = 0;
    const b = new Batcher<number, number>(
      async (items) => {
        running += 1;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 5));
        running -= 1;
        return items;
      },
      { maxBatch: 1, maxInFlight: 2 },
    );
    expect(await Promise.all([1, 2, 3, 4, 5].map((i) => b.submit(i)))).toEqual([1, 2, 3, 4, 5]);
    expect(peak).toBe(2);
  });

  it('retries the items of a failed batch one by one, so only the bad one fails', async () => {
    const seen: number[][] = [];
    const gate = deferred();
    const b = new Batcher<number, number>(
      async (items) => {
        seen.push(items);
        if (items.length === 1 && items[0] === 0) await gate.promise; // holds the first flush so the rest batch up
        if (items.includes(13)) throw new Error('no such installation');
        return items;
      },
      { maxBatch: 10, maxInFlight: 1 },
    );
    const first = b.submit(0);
    await new Promise((r) => setImmediate(r)); // the first flush is running
    const rest = [1, 13, 2].map((i) => b.submit(i).catch((e: unknown) => (e as Error).message));
    gate.resolve();
    expect(await first).toBe(0);
    expect(await Promise.all(rest)).toEqual([1, 'no such installation', 2]);
    expect(seen).toEqual([[0], [1, 13, 2], [1], [13], [2]]);
  });

  it('a failed single item rejects, and later batches still run', async () => {
    let calls = 0;
    const b = new Batcher<number, number>(async (items) => {
      calls += 1;
      if (calls === 1) throw new Error('database down');
      return items;
    });
    await expect(b.submit(1)).rejects.toThrow('database down');
    expect(await b.submit(2)).toBe(2);
  });

  it('fails the batch when the flush returns the wrong number of results', async () => {
    const b = new Batcher<number, number>(async () => []);
    await expect(b.submit(1)).rejects.toThrow(/0 results for 1 items/);
  });

  it('tells each flush that succeeded: its items, how long its oldest item waited, how long it ran', async () => {
    const flushes: { batcher: string; flush: BatchFlush }[] = [];
    const gate = deferred();
    let observer: ((batcher: string, flush: BatchFlush) => void) | undefined = undefined;
    const b = new Batcher<number, number>(
      async (items) => {
        if (items[0] === 0) await gate.promise; // the first flush runs while the next items queue
        if (items.includes(13)) throw new Error('no such installation');
        return items;
      },
      // The observer is looked up at each flush, so a service may set it after building its batchers.
      stormBatching('sessions', () => observer, { lingerMs: 0, maxBatch: 10 }),
    );
    observer = (batcher, flush) => flushes.push({ batcher, flush });
    const first = b.submit(0);
    await new Promise((r) => setImmediate(r));
    const queued = [1, 2].map((i) => b.submit(i));
    await new Promise((r) => setTimeout(r, 30));
    gate.resolve();
    await Promise.all([first, ...queued]);
    expect(flushes.map((f) => [f.batcher, f.flush.items])).toEqual([['sessions', 1], ['sessions', 2]]);
    // The first flush ran about 30 ms (the gate); the second's items waited for it.
    expect(flushes[0]?.flush.seconds).toBeGreaterThanOrEqual(0.025);
    expect(flushes[1]?.flush.waitedSeconds).toBeGreaterThanOrEqual(0.025);
    expect(flushes[1]?.flush.seconds).toBeLessThan(flushes[0]?.flush.seconds ?? 0);
    // A failed batch is not a flush: its items are retried one by one, and those that succeed are.
    flushes.length = 0;
    await Promise.all([3, 13].map((i) => b.submit(i).catch(() => undefined)));
    expect(flushes.map((f) => f.flush.items)).toEqual([1]);
  });
});

export interface BatcherOptions {
  /** Most items per flush. */
  maxBatch: number;
  /**
   * Flushes running at once. One by default: what arrives meanwhile waits for it and goes
   * together (a reconnect storm is otherwise thousands of two-item statements competing for the pool).
   */
  maxInFlight: number;
  /** Under load, flushes start at most this often (ms); 0 = as soon as the turn ends. */
  lingerMs: number;
  /** Told of each flush that succeeded (metrics: which batch of a storm's path queues). */
  observe?: (flush: BatchFlush) => void;
}

/** One flush: its items, how long the oldest of them waited for it to start, how long it took. */
export interface BatchFlush {
  items: number;
  waitedSeconds: number;
  seconds: number;
}

/** Told of each flush of the batcher named `batcher` (see BatcherOptions.observe). */
export type BatchFlushObserver = (batcher: string, flush: BatchFlush) => void;

const DEFAULT_OPTIONS: BatcherOptions = { maxBatch: 500, maxInFlight: 1, lingerMs: 0 };

/**
 * The agents' connect path: under load, at most one statement of a kind per 50 ms unless a full
 * batch waits. Measured at 10 000 agents (bench/results/README.md): 20 ms made batches of 9–23
 * items and the hub spent its CPU on round trips; 50 ms halved the statements (storm 18.2 s, not
 * 24.9 s); 100 ms was no better (24.0 s).
 */
export const STORM_BATCHING: Partial<BatcherOptions> = { lingerMs: 50 };

/**
 * STORM_BATCHING (and `overrides`) with each flush told to the observer under `name`. The observer
 * is looked up at each flush: services build their batchers before their constructor has run.
 */
export function stormBatching(name: string, observer: () => BatchFlushObserver | undefined, overrides: Partial<BatcherOptions> = {}): Partial<BatcherOptions> {
  return { ...STORM_BATCHING, ...overrides, observe: (flush) => observer()?.(name, flush) };
}

/**
 * Group commit: callers submit one item each and get its own result, while the items are written
 * in batches. When idle, items are flushed at the end of the current event-loop turn
 * (`setImmediate`, no timer), all those submitted during the turn together: a connect storm delivers
 * hundreds of sockets' events per turn, and each would otherwise cost its own statement. Items
 * arriving while `maxInFlight` flushes run are queued and go together in the next one (batches
 * grow with the load).
 *
 * `flush` must be atomic (one statement or one transaction): when a batch fails, each of its items
 * is retried on its own, so one bad item (say, of a just-deleted installation) fails alone.
 */
export class Batcher<T, R> {
  private queue: { item: T; at: number; resolve(r: R): void; reject(e: unknown): void }[] = [];
  private inFlight = 0;
  private scheduled = false;
  /** The pending linger, when the scheduled flush waits for one (see schedule). */
  private lingerTimer: NodeJS.Timeout | undefined;

  constructor(
    /** Writes a batch; returns one result per item, in order. A rejection fails the whole batch. */
    private readonly flush: (items: T[]) => Promise<R[]>,
    options: Partial<BatcherOptions> = {},
  ) {
    this.options = { ...DEFAULT_OPTIONS, ...options };
  }

  private readonly options: BatcherOptions;
  /** When the last flush started (performance.now()), for `lingerMs`. */
  private lastFlushAt = -Infinity;

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, at: performance.now(), resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.queue.length === 0) return;
    const full = this.queue.length >= this.options.maxBatch;
    // Already scheduled: only a full batch cuts a linger short.
    if (this.scheduled && !(full && this.lingerTimer)) return;
    clearTimeout(this.lingerTimer);
    this.lingerTimer = undefined;
    this.scheduled = true;
    this.flushWhenLingered();
  }

  /**
   * Busy (a flush started less than lingerMs ago): wait out the rest, so a storm's items go in
   * fewer, larger batches; unless a full batch is already waiting (lingering would only cap the
   * throughput at maxBatch per lingerMs). Idle: at the end of this turn, no added latency.
   * Node's timers count from the event loop's cached, whole-millisecond clock and fire up to a few
   * ms early by performance.now() (seen: 37.9 ms for 40), so the wait is checked again when they do.
   */
  private flushWhenLingered(): void {
    this.lingerTimer = undefined;
    const full = this.queue.length >= this.options.maxBatch;
    const wait = full ? 0 : this.lastFlushAt + this.options.lingerMs - performance.now();
    if (wait > 0) {
      this.lingerTimer = setTimeout(() => this.flushWhenLingered(), wait);
      return;
    }
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  /** Items waiting for a flush (for tests and metrics). */
  get pending(): number {
    return this.queue.length;
  }

  private async run(batch: { item: T; at: number; resolve(r: R): void }[]): Promise<void> {
    const started = performance.now();
    const results = await this.flush(batch.map((b) => b.item));
    if (results.length !== batch.length) throw new Error(`batch flush returned ${results.length} results for ${batch.length} items`);
    this.options.observe?.({ items: batch.length, waitedSeconds: (started - (batch[0]?.at ?? started)) / 1000, seconds: (performance.now() - started) / 1000 });
    batch.forEach((b, i) => b.resolve(results[i] as R));
  }

  private pump(): void {
    while (this.inFlight < this.options.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.maxBatch);
      this.inFlight += 1;
      this.lastFlushAt = performance.now();
      this.run(batch)
        .catch(async (err: unknown) => {
          if (batch.length === 1) batch[0]?.reject(err);
          else await Promise.all(batch.map((b) => this.run([b]).catch((e: unknown) => b.reject(e))));
        })
        .finally(() => {
          this.inFlight -= 1;
          this.schedule();
        });
    }
  }
}

/**
 * Group commit: callers submit one item each and get its own result, while the items are written
 * in batches. Nothing waits for a timer: items are flushed at the end of the current event-loop
 * turn (`setImmediate`), all those submitted during the turn together: a connect storm delivers
 * hundreds of sockets' events per turn, and each would otherwise cost its own statement. Items
 * arriving while `maxInFlight` flushes run are queued and go together in the next one (batches
 * grow with the load).
 *
 * `flush` must be atomic (one statement or one transaction): when a batch fails, each of its items
 * is retried on its own, so one bad item (say, of a just-deleted installation) fails alone.
 */
export class Batcher<T, R> {
  private queue: { item: T; resolve(r: R): void; reject(e: unknown): void }[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(
    /** Writes a batch; returns one result per item, in order. A rejection fails the whole batch. */
    private readonly flush: (items: T[]) => Promise<R[]>,
    private readonly options: { maxBatch: number; maxInFlight: number } = { maxBatch: 500, maxInFlight: 2 },
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.pump();
        });
      }
    });
  }

  /** Items waiting for a flush (for tests and metrics). */
  get pending(): number {
    return this.queue.length;
  }

  private async run(batch: { item: T; resolve(r: R): void }[]): Promise<void> {
    const results = await this.flush(batch.map((b) => b.item));
    if (results.length !== batch.length) throw new Error(`batch flush returned ${results.length} results for ${batch.length} items`);
    batch.forEach((b, i) => b.resolve(results[i] as R));
  }

  private pump(): void {
    while (this.inFlight < this.options.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.maxBatch);
      this.inFlight += 1;
      this.run(batch)
        .catch(async (err: unknown) => {
          if (batch.length === 1) batch[0]?.reject(err);
          else await Promise.all(batch.map((b) => this.run([b]).catch((e: unknown) => b.reject(e))));
        })
        .finally(() => {
          this.inFlight -= 1;
          this.pump();
        });
    }
  }
}

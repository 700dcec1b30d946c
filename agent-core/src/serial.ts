/**
 * Runs tasks one at a time, in the order they were submitted. The converger's applies and the
 * command runner's driver calls share one, which is what keeps driver calls from overlapping.
 */
export class Serial {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

import type { LogFollowStart, LogStreamChunk } from '@flotilla/protocol';
import type { LogSource } from './log-source.js';
import { LogStreamGate } from './log-stream-gate.js';

/** Lines that arrive within this are sent in one chunk. */
const BATCH_MS = 50;

export interface LogFollowerOptions {
  start: LogFollowStart;
  source: LogSource;
  /** Sends one chunk; resolves true once the hub acknowledged it (false: lost, the follow ends). */
  send(chunk: LogStreamChunk): Promise<boolean>;
  /** Called once, after the last chunk went out. */
  onEnded(reason: string): void;
  now?: () => number;
}

/**
 * One live log follow: lines from the source go through the gate (rate cap, credit window) to the
 * hub in chunks; the source is paused while the hub holds a full window of unacknowledged chunks.
 * Ends when stopped, when the source ends, after the maximum duration, or when a chunk is lost.
 */
export class LogFollower {
  private readonly gate: LogStreamGate;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private readonly deadline: NodeJS.Timeout;
  private ending = false;

  constructor(private readonly opts: LogFollowerOptions) {
    this.gate = new LogStreamGate(opts.start.followId, opts.start.limits);
    this.now = opts.now ?? Date.now;
    opts.source.onLine((line) => {
      this.gate.offer(line, this.now());
      this.schedule();
    });
    void opts.source.ended.then((reason) => this.end(reason));
    this.deadline = setTimeout(() => this.stop(`the follow reached its maximum duration (${opts.start.limits.maxDurationSeconds} s)`), opts.start.limits.maxDurationSeconds * 1000);
    this.deadline.unref();
  }

  private endReason: string | undefined;

  /** Stops following; the last chunk carries `reason`. */
  stop(reason: string): void {
    this.endReason ??= reason;
    this.opts.source.stop();
  }

  private schedule(): void {
    if (this.timer !== undefined || this.ending) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, BATCH_MS);
  }

  private flush(): void {
    for (let chunk = this.gate.take(); chunk !== undefined; chunk = this.gate.take()) {
      void this.opts.send(chunk).then((ok) => {
        if (!ok) return this.stop('the hub did not acknowledge the log stream');
        this.gate.acked();
        this.opts.source.resume();
        if (this.gate.waiting > 0) this.schedule();
      });
    }
    if (this.gate.blocked) this.opts.source.pause();
  }

  private end(sourceReason: string): void {
    if (this.ending) return;
    this.ending = true;
    clearTimeout(this.timer);
    clearTimeout(this.deadline);
    const reason = this.endReason ?? sourceReason;
    void this.opts.send(this.gate.final(reason)).finally(() => this.opts.onEnded(reason));
  }
}

import type { LogFollowLimits, LogStreamChunk } from '@flotilla/protocol';

/** Lines held for sending at most (beyond: dropped and counted, like the rate cap's). */
const MAX_PENDING_LINES = 2000;
/** Lines per chunk at most (the protocol's limit). */
const MAX_CHUNK_LINES = 1000;

export type GateLimits = Pick<LogFollowLimits, 'linesPerSecond' | 'bytesPerSecond' | 'window'>;

/**
 * The pure part of a live log follow: a rate cap (lines and bytes per second, in one-second windows;
 * what exceeds it is dropped and counted) and a credit window (at most `window` chunks unacknowledged
 * by the hub; the caller pauses its source while `blocked`). No I/O, time is an argument.
 */
export class LogStreamGate {
  private windowStart = Number.NEGATIVE_INFINITY;
  private linesInWindow = 0;
  private bytesInWindow = 0;
  private pending: string[] = [];
  private dropped = 0;
  private unacked = 0;
  private seq = 0;

  constructor(
    private readonly followId: string,
    private readonly limits: GateLimits,
  ) {}

  /** One line from the runtime: kept for the next chunk, or dropped when over the rate or the buffer. */
  offer(line: string, nowMs: number): void {
    if (nowMs - this.windowStart >= 1000) {
      this.windowStart = nowMs;
      this.linesInWindow = 0;
      this.bytesInWindow = 0;
    }
    const bytes = Buffer.byteLength(line);
    const overRate = this.linesInWindow + 1 > this.limits.linesPerSecond || this.bytesInWindow + bytes > this.limits.bytesPerSecond;
    if (overRate || this.pending.length >= MAX_PENDING_LINES) {
      this.dropped += 1;
      return;
    }
    this.linesInWindow += 1;
    this.bytesInWindow += bytes;
    this.pending.push(line);
  }

  /** True while the hub holds `window` unacknowledged chunks: stop reading the source. */
  get blocked(): boolean {
    return this.unacked >= this.limits.window;
  }

  /** Lines waiting for a chunk (for tests and the flush decision). */
  get waiting(): number {
    return this.pending.length;
  }

  /** The next chunk to send, when there is something and credit for it; it counts as unacknowledged. */
  take(): LogStreamChunk | undefined {
    if (this.blocked || (this.pending.length === 0 && this.dropped === 0)) return undefined;
    this.unacked += 1;
    return this.chunk();
  }

  /** The hub acknowledged one chunk: its credit comes back. */
  acked(): void {
    this.unacked = Math.max(0, this.unacked - 1);
  }

  /** The last chunk, sent whatever the credit: what is pending and why the follow ended. */
  final(reason: string): LogStreamChunk {
    return { ...this.chunk(), end: { reason } };
  }

  private chunk(): LogStreamChunk {
    const lines = this.pending.splice(0, MAX_CHUNK_LINES);
    const chunk: LogStreamChunk = { followId: this.followId, seq: this.seq++, lines };
    if (this.dropped > 0) chunk.dropped = this.dropped;
    this.dropped = 0;
    return chunk;
  }
}

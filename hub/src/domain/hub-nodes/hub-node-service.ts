import { hostname } from 'node:os';
import type { HubNodeRepository } from './hub-node-repository.js';

export const HEARTBEAT_MS = 15_000;
/** Four missed heartbeats: the process is gone (crashed or killed without its shutdown). */
export const STALE_AFTER_SECONDS = 60;

/**
 * Keeps this hub process's row in `hub_nodes` fresh, so every process (and the agent sessions it
 * will hold) can be attributed, and a crashed process's leftovers can be swept by any other.
 */
export class HubNodeService {
  private timer: NodeJS.Timeout | undefined;
  private readonly onSwept: ((ids: string[]) => Promise<void>)[] = [];

  constructor(
    readonly nodeId: string,
    private readonly repo: HubNodeRepository,
    private readonly version: string,
    private readonly onError: (err: unknown) => void,
  ) {}

  async start(): Promise<void> {
    await this.repo.upsert({ id: this.nodeId, hostname: hostname(), pid: process.pid, version: this.version });
    this.timer = setInterval(() => this.repo.touch(this.nodeId).catch(this.onError), HEARTBEAT_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.repo.remove(this.nodeId);
  }

  /** Other modules register clean-up for nodes that disappeared (e.g. closing their agent sessions). */
  whenNodesSwept(fn: (ids: string[]) => Promise<void>): void {
    this.onSwept.push(fn);
  }

  async sweepStale(): Promise<string[]> {
    const ids = (await this.repo.removeStale(STALE_AFTER_SECONDS)).filter((id) => id !== this.nodeId);
    if (ids.length > 0) for (const fn of this.onSwept) await fn(ids);
    return ids;
  }
}

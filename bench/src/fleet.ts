import { fileURLToPath } from 'node:url';
import { Child } from './rpc.js';
import type { AgentIdentity } from './seed.js';
import type { Applies, Counts, MetricsCounts, Receipts } from './worker.js';
import { sleep } from './hub.js';

const WORKER = fileURLToPath(new URL('./worker.js', import.meta.url));
/** Source addresses 127.0.0.10 … 127.0.0.249, split between the workers. */
const FIRST_ADDRESS = 10;
const ADDRESSES = 240;

/** The simulated agents, spread over child processes; every call fans out to all of them. */
export class SimFleet {
  private readonly workers: Child[];
  private readonly slices: AgentIdentity[][];

  constructor(
    readonly agents: AgentIdentity[],
    workerCount: number,
  ) {
    this.workers = Array.from({ length: workerCount }, () => new Child(WORKER));
    this.slices = this.workers.map((_, w) => agents.filter((_, i) => i % workerCount === w));
  }

  private addressRange(w: number) {
    const spread = Math.floor(ADDRESSES / this.workers.length);
    return { firstAddress: FIRST_ADDRESS + w * spread, addressSpread: spread };
  }

  private all<T>(cmd: string, args: (w: number) => unknown): Promise<T[]> {
    return Promise.all(this.workers.map((c, w) => c.call<T>(cmd, args(w))));
  }

  async startSockets(hubUrls: string[], statusIntervalMs = 30_000): Promise<void> {
    await this.all('start-sockets', (w) => ({ agents: this.slices[w], hubUrls, statusIntervalMs, ...this.addressRange(w) }));
  }

  async stopSockets(): Promise<void> {
    await this.all('stop-sockets', () => ({}));
  }

  async counts(since?: number): Promise<Counts> {
    const parts = await this.all<Counts>('counts', () => (since === undefined ? {} : { since }));
    return {
      total: sum(parts, (p) => p.total),
      helloed: sum(parts, (p) => p.helloed),
      hellos: sum(parts, (p) => p.hellos),
      helloMs: parts.flatMap((p) => p.helloMs),
      helloedSince: sum(parts, (p) => p.helloedSince),
    };
  }

  /**
   * Waits until every agent said hello at or after `since`; returns the milliseconds from `since`
   * at which each given fraction of them had (the curve of a reconnect storm).
   */
  async waitAllHelloedSince(since: number, timeoutMs: number, fractions: readonly number[]): Promise<Map<number, number>> {
    const reached = new Map<number, number>();
    const n = this.agents.length;
    for (;;) {
      const c = await this.counts(since);
      const ms = Date.now() - since;
      for (const f of fractions) if (!reached.has(f) && c.helloedSince >= Math.ceil(f * n)) reached.set(f, ms);
      if (c.helloedSince === n) return reached;
      if (ms > timeoutMs) {
        const curve = [...reached].map(([f, t]) => `${f * 100}% after ${t} ms`).join(', ');
        const stragglers = (await this.all<string[]>('stragglers', () => ({ since }))).flat().slice(0, 5);
        throw new Error(`only ${c.helloedSince}/${n} agents reconnected and said hello within ${timeoutMs} ms${curve ? ` (${curve})` : ''}; for example ${stragglers.join('; ')}`);
      }
      await sleep(250);
    }
  }

  /** Waits until every agent has said hello on its current connection; returns the wait in ms. */
  async waitAllHelloed(timeoutMs: number, minHellos = 0): Promise<number> {
    const t0 = Date.now();
    for (;;) {
      const c = await this.counts();
      if (c.helloed === this.agents.length && c.hellos >= minHellos) return Date.now() - t0;
      if (Date.now() - t0 > timeoutMs) throw new Error(`only ${c.helloed}/${this.agents.length} agents connected after ${timeoutMs} ms`);
      await sleep(100);
    }
  }

  async receiptsSince(since: number): Promise<Receipts> {
    const parts = await this.all<Receipts>('receipts-since', () => ({ since }));
    return { times: parts.flatMap((p) => p.times), missing: sum(parts, (p) => p.missing) };
  }

  /** Waits until every agent (all but `tolerate` of them) received a desired state newer than `since`. */
  async waitAllReceived(since: number, timeoutMs: number, tolerate = 0): Promise<Receipts> {
    const t0 = Date.now();
    for (;;) {
      const r = await this.receiptsSince(since);
      if (r.missing <= tolerate) return r;
      if (Date.now() - t0 > timeoutMs) return r;
      await sleep(100);
    }
  }

  async applies(since: number): Promise<Applies> {
    const parts = await this.all<Applies>('applies', () => ({ since }));
    return {
      agents: sum(parts, (p) => p.agents),
      appliedOnce: sum(parts, (p) => p.appliedOnce),
      appliedTwice: sum(parts, (p) => p.appliedTwice),
      notApplied: sum(parts, (p) => p.notApplied),
      duplicateDeliveries: sum(parts, (p) => p.duplicateDeliveries),
    };
  }

  async flood(durationMs: number): Promise<{ acked: number; failed: number; lastSeq: { installationId: string; seq: number }[] }> {
    const parts = await this.all<{ acked: number; failed: number; lastSeq: { installationId: string; seq: number }[] }>('flood', () => ({ durationMs }));
    return { acked: sum(parts, (p) => p.acked), failed: sum(parts, (p) => p.failed), lastSeq: parts.flatMap((p) => p.lastSeq) };
  }

  async endFlood(): Promise<void> {
    await this.all('end-flood', () => ({}));
  }

  /** Every agent's connection drops and stays down (an outage); they keep what they applied. */
  async dropOut(): Promise<void> {
    await this.all('drop-out', () => ({}));
  }

  /** The agents that dropped out reconnect (at once, like sites coming back after an outage). */
  async comeBack(): Promise<void> {
    await this.all('come-back', () => ({}));
  }

  /** Every agent sends a usage sample every `intervalMs`, spread over the interval. */
  async startMetrics(intervalMs: number): Promise<void> {
    await this.all('start-metrics', () => ({ intervalMs }));
  }

  async stopMetrics(): Promise<void> {
    await this.all('stop-metrics', () => ({}));
  }

  async metricsCounts(): Promise<MetricsCounts> {
    const parts = await this.all<MetricsCounts>('metrics-counts', () => ({}));
    return { sent: sum(parts, (p) => p.sent), acked: sum(parts, (p) => p.acked), failed: sum(parts, (p) => p.failed) };
  }

  async startPollers(hubUrls: string[], intervalMs: number): Promise<void> {
    await this.all('start-pollers', (w) => ({ agents: this.slices[w], hubUrls, intervalMs, statusIntervalMs: 0, ...this.addressRange(w) }));
  }

  async pollerCounts(): Promise<{ polls: number; errors: number }> {
    const parts = await this.all<{ polls: number; errors: number }>('poller-counts', () => ({}));
    return { polls: sum(parts, (p) => p.polls), errors: sum(parts, (p) => p.errors) };
  }

  async stopPollers(): Promise<void> {
    await this.all('stop-pollers', () => ({}));
  }

  async floorConnect(url: string, count: number): Promise<void> {
    const per = this.workers.map((_, w) => Math.floor(count / this.workers.length) + (w < count % this.workers.length ? 1 : 0));
    await this.all('floor-connect', (w) => ({ url, count: per[w], ...this.addressRange(w) }));
  }

  async floorReceipts(seq: number): Promise<Receipts> {
    const parts = await this.all<Receipts>('floor-receipts', () => ({ seq }));
    return { times: parts.flatMap((p) => p.times), missing: sum(parts, (p) => p.missing) };
  }

  async floorClose(): Promise<void> {
    await this.all('floor-close', () => ({}));
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.kill()));
  }
}

function sum<T>(items: T[], f: (t: T) => number): number {
  return items.reduce((s, t) => s + f(t), 0);
}

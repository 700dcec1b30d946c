import { statfs } from 'node:fs/promises';
import os from 'node:os';
import type { ComponentUsage, DesiredComponent, HostUsage, UsageSample } from '@flotilla/protocol';
import type { Driver, DriverContext } from './driver.js';

/** Cumulative CPU times summed over all cores (ms), as `os.cpus()` reports them since boot. */
export interface CpuTimes {
  busy: number;
  total: number;
}

export function cpuTimes(cpus: readonly Pick<os.CpuInfo, 'times'>[] = os.cpus()): CpuTimes {
  let busy = 0;
  let total = 0;
  for (const { times } of cpus) {
    const all = times.user + times.nice + times.sys + times.idle + times.irq;
    total += all;
    busy += all - times.idle;
  }
  return { busy, total };
}

/** Busy share of all cores between two readings, 0–100 (0 when no time passed). */
export function cpuPercentBetween(before: CpuTimes, after: CpuTimes): number {
  const total = after.total - before.total;
  if (total <= 0) return 0;
  return clampPercent(((after.busy - before.busy) / total) * 100);
}

const clampPercent = (p: number) => Math.min(100, Math.max(0, Math.round(p * 100) / 100));

/** Used and total bytes of a filesystem from `statfs` (used counts blocks reserved for root, as `df` does not). */
export function diskFromStatfs(s: { bsize: number; blocks: number; bfree: number; bavail: number }): { used: number; total: number } {
  // df's view: size = used + available to users; root's reserve is neither.
  const used = (s.blocks - s.bfree) * s.bsize;
  return { used, total: used + s.bavail * s.bsize };
}

/**
 * Samples the host: CPU busy since the previous sample (the first one: since construction),
 * memory used as total minus the kernel's available figure, and the filesystem holding `dir`.
 */
export class HostSampler {
  private last = cpuTimes();

  constructor(private readonly dir: string) {}

  async sample(): Promise<HostUsage> {
    const now = cpuTimes();
    const cpuPercent = cpuPercentBetween(this.last, now);
    this.last = now;
    const disk = diskFromStatfs(await statfs(this.dir));
    const total = os.totalmem();
    return {
      cpuPercent,
      memoryUsedBytes: Math.max(0, total - os.freemem()),
      memoryTotalBytes: total,
      diskUsedBytes: disk.used,
      diskTotalBytes: disk.total,
    };
  }
}

/** What a driver reports about its components' usage; `unavailable` says why there is none. */
export interface ComponentMetrics {
  components: ComponentUsage[];
  unavailable?: string;
}

/** One sample: host facts always (when readable), components from the driver when it can. */
export async function collectUsage(
  host: HostSampler,
  driver: Driver,
  components: readonly DesiredComponent[],
  ctx: DriverContext,
  at = new Date(),
): Promise<UsageSample> {
  const [hostResult, componentResult] = await Promise.allSettled([
    host.sample(),
    driver.metrics === undefined
      ? Promise.resolve<ComponentMetrics>({ components: [], unavailable: `the ${driver.kind} driver does not report component metrics` })
      : components.length === 0
        ? Promise.resolve<ComponentMetrics>({ components: [] })
        : driver.metrics(components, ctx),
  ]);
  if (hostResult.status === 'rejected') ctx.logger.warn({ err: errorText(hostResult.reason) }, 'cannot read host metrics');
  const comp: ComponentMetrics =
    componentResult.status === 'fulfilled' ? componentResult.value : { components: [], unavailable: `component metrics failed: ${errorText(componentResult.reason)}` };
  const known = new Set(components.map((c) => c.name));
  return {
    at: at.toISOString(),
    ...(hostResult.status === 'fulfilled' ? { host: hostResult.value } : {}),
    components: comp.components.filter((c) => known.has(c.name)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    ...(comp.unavailable === undefined ? {} : { unavailable: comp.unavailable.slice(0, 500) }),
  };
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

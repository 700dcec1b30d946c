import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

/** Kernel clock ticks per second (utime/stime unit in /proc/<pid>/stat). */
const TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU seconds (user + system) a Linux process has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

/** Resident set size in bytes. */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1];
  return kb === undefined ? 0 : Number(kb) * 1024;
}

export interface Usage {
  cpuSeconds: number;
  /** Peak RSS seen while measuring (sampled every 200 ms). */
  peakRssBytes: number;
  rssBytes: number;
  wallSeconds: number;
}

/** Measures CPU and memory of some processes (e.g. the hub nodes) over a stretch of time. */
export class UsageMeter {
  private readonly cpu0: number;
  private readonly t0 = performance.now();
  private peak = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pids: () => number[]) {
    this.cpu0 = this.cpuNow();
    this.sample();
    this.timer = setInterval(() => this.sample(), 200);
  }

  private cpuNow(): number {
    return this.pids().reduce((s, pid) => s + safe(() => cpuSeconds(pid)), 0);
  }

  private rssNow(): number {
    return this.pids().reduce((s, pid) => s + safe(() => rssBytes(pid)), 0);
  }

  private sample(): void {
    this.peak = Math.max(this.peak, this.rssNow());
  }

  stop(): Usage {
    clearInterval(this.timer);
    this.sample();
    return { cpuSeconds: this.cpuNow() - this.cpu0, peakRssBytes: this.peak, rssBytes: this.rssNow(), wallSeconds: (performance.now() - this.t0) / 1000 };
  }
}

function safe(fn: () => number): number {
  try {
    return fn();
  } catch {
    return 0; // the process exited between samples
  }
}

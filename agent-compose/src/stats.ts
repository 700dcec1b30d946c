import { z } from 'zod';
import type { ComponentUsage } from '@flotilla/protocol';

/** One line of `docker stats --no-stream --no-trunc --format '{{json .}}'` (the fields read). */
const StatsLine = z.object({ ID: z.string(), CPUPerc: z.string(), MemUsage: z.string() }).loose();

const UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

/** "1.5MiB" → bytes; docker prints binary units for memory, decimal ones elsewhere. "--" (not running) → 0. */
export function parseSize(text: string): number {
  const t = text.trim();
  if (t === '--' || t === '') return 0;
  const m = /^([\d.]+)\s*([a-z]+)$/i.exec(t);
  const unit = UNITS[(m?.[2] ?? '').toLowerCase()];
  if (m === null || unit === undefined) throw new Error(`unreadable size "${text}"`);
  return Math.round(Number(m[1]) * unit);
}

/** "12.34%" → 12.34; "--" (not running) → 0. */
export function parsePercent(text: string): number {
  const t = text.trim();
  if (t === '--' || t === '') return 0;
  const m = /^([\d.]+)%$/.exec(t);
  if (m === null) throw new Error(`unreadable percentage "${text}"`);
  return Number(m[1]);
}

export interface ContainerStats {
  cpuPercent: number;
  memoryBytes: number;
}

/** Parses `docker stats` JSON lines into figures by full container id (CPU in percent of one core). */
export function parseStats(stdout: string): Map<string, ContainerStats> {
  const out = new Map<string, ContainerStats>();
  for (const line of stdout.split('\n')) {
    if (line.trim() === '') continue;
    const s = StatsLine.parse(JSON.parse(line));
    // MemUsage is "used / limit".
    out.set(s.ID, { cpuPercent: parsePercent(s.CPUPerc), memoryBytes: parseSize(s.MemUsage.split('/')[0] ?? '') });
  }
  return out;
}

/** A container as the usage sum needs it: its component, its restarts (from inspect), its stats if any. */
export interface ContainerFigures {
  component: string;
  restarts: number;
  stats: ContainerStats | undefined;
}

/** Sums containers per component; a component whose containers are all stopped uses 0. */
export function sumByComponent(containers: readonly ContainerFigures[]): ComponentUsage[] {
  const sums = new Map<string, ComponentUsage>();
  for (const c of containers) {
    const s = sums.get(c.component) ?? { name: c.component, cpuPercent: 0, memoryBytes: 0, restarts: 0 };
    s.cpuPercent += c.stats?.cpuPercent ?? 0;
    s.memoryBytes += c.stats?.memoryBytes ?? 0;
    s.restarts += c.restarts;
    sums.set(c.component, s);
  }
  return [...sums.values()].map((s) => ({ ...s, cpuPercent: Math.round(s.cpuPercent * 100) / 100 }));
}

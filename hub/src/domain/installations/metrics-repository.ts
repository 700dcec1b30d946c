import type { ComponentMetricsPoint, HostMetricsPoint, MetricsWindow, UsageSample } from '@flotilla/protocol';
import type { Knex } from 'knex';
import type { Database } from '../../infra/index.js';

/** The host's series in `installation_metrics` (components use their own names, never empty). */
export const HOST_SERIES = '';

/** Resolutions (seconds) and how long each is kept. Raw samples are step 0. */
export const METRIC_TIERS = [
  { step: 0, keepMs: 24 * 3600_000 },
  { step: 300, keepMs: 7 * 24 * 3600_000 },
  { step: 3600, keepMs: 90 * 24 * 3600_000 },
] as const;

/** Per window: how far back, which stored resolution is read, and the bucket returned. */
export const METRIC_WINDOWS: Record<MetricsWindow, { spanMs: number; source: number; step: number }> = {
  '1h': { spanMs: 3600_000, source: 0, step: 0 },
  '24h': { spanMs: 24 * 3600_000, source: 0, step: 300 },
  '7d': { spanMs: 7 * 24 * 3600_000, source: 300, step: 300 },
  '30d': { spanMs: 30 * 24 * 3600_000, source: 3600, step: 3600 },
};

/** One received sample, stamped with the hub's clock (agents' clocks may be off). */
export interface ReceivedUsage {
  installationId: string;
  at: Date;
  usage: UsageSample;
}

interface SeriesRow {
  component: string;
  at: Date;
  cpu_percent: number;
  memory_bytes: string;
  memory_total_bytes: string | null;
  disk_used_bytes: string | null;
  disk_total_bytes: string | null;
  restarts: number | null;
}

const num = (v: string | null) => (v === null ? null : Number(v));

/** Rows of `installation_metrics`: raw inserts, set-based roll-ups and retention, reads by window. */
export class MetricsRepository {
  constructor(private readonly db: Database) {}

  /**
   * Writes samples as raw rows in one statement (one row for the host, one per component). Rows of
   * installations deleted meanwhile are skipped, not failed; a sample repeated at the same instant is ignored.
   */
  async insertRaw(items: readonly ReceivedUsage[]): Promise<void> {
    const cols = { inst: [] as string[], comp: [] as string[], at: [] as Date[], cpu: [] as number[], mem: [] as number[], memT: [] as (number | null)[], diskU: [] as (number | null)[], diskT: [] as (number | null)[], restarts: [] as (number | null)[], note: [] as (string | null)[] };
    const push = (i: ReceivedUsage, comp: string, cpu: number, mem: number, memT: number | null, diskU: number | null, diskT: number | null, restarts: number | null, note: string | null) => {
      cols.inst.push(i.installationId);
      cols.comp.push(comp);
      cols.at.push(i.at);
      cols.cpu.push(cpu);
      cols.mem.push(Math.round(mem));
      cols.memT.push(memT === null ? null : Math.round(memT));
      cols.diskU.push(diskU === null ? null : Math.round(diskU));
      cols.diskT.push(diskT === null ? null : Math.round(diskT));
      cols.restarts.push(restarts);
      cols.note.push(note);
    };
    for (const i of items) {
      const h = i.usage.host;
      if (h !== undefined) push(i, HOST_SERIES, h.cpuPercent, h.memoryUsedBytes, h.memoryTotalBytes, h.diskUsedBytes, h.diskTotalBytes, null, i.usage.unavailable ?? null);
      for (const c of i.usage.components) push(i, c.name, c.cpuPercent, c.memoryBytes, null, null, null, c.restarts, null);
    }
    if (cols.inst.length === 0) return;
    await this.db.raw(
      `INSERT INTO installation_metrics (installation_id, step_seconds, component, at, cpu_percent, memory_bytes, memory_total_bytes, disk_used_bytes, disk_total_bytes, restarts, unavailable)
       SELECT v.inst, 0, v.comp, v.at, v.cpu, v.mem, v.mem_t, v.disk_u, v.disk_t, v.restarts, v.note
       FROM unnest(?::uuid[], ?::text[], ?::timestamptz[], ?::float8[], ?::int8[], ?::int8[], ?::int8[], ?::int8[], ?::int4[], ?::text[])
         AS v(inst, comp, at, cpu, mem, mem_t, disk_u, disk_t, restarts, note)
       WHERE EXISTS (SELECT 1 FROM installations i WHERE i.id = v.inst)
       ON CONFLICT DO NOTHING`,
      // Arrays with nulls, which knex's binding types do not list; pg sends them as arrays.
      [cols.inst, cols.comp, cols.at, cols.cpu, cols.mem, cols.memT, cols.diskU, cols.diskT, cols.restarts, cols.note] as unknown as readonly Knex.RawBinding[],
    );
  }

  /**
   * Averages the `from` resolution into `to`-second buckets, for every installation at once,
   * recomputing the buckets since `since` (upserts: idempotent, and a bucket still filling is
   * completed by the next run). Returns the rows written.
   */
  async rollUp(from: number, to: number, since: Date, until: Date): Promise<number> {
    const result = await this.db.raw<{ rowCount: number }>(
      `INSERT INTO installation_metrics (installation_id, step_seconds, component, at, cpu_percent, memory_bytes, memory_total_bytes, disk_used_bytes, disk_total_bytes, restarts)
       SELECT installation_id, ?, component, date_bin(make_interval(secs => ?), at, timestamptz 'epoch') AS bucket,
              avg(cpu_percent), round(avg(memory_bytes))::int8, round(avg(memory_total_bytes))::int8,
              round(avg(disk_used_bytes))::int8, round(avg(disk_total_bytes))::int8, max(restarts)
       FROM installation_metrics
       WHERE step_seconds = ? AND at >= date_bin(make_interval(secs => ?), ?::timestamptz, timestamptz 'epoch') AND at < ?
       GROUP BY installation_id, component, bucket
       ON CONFLICT (installation_id, step_seconds, component, at) DO UPDATE SET
         cpu_percent = excluded.cpu_percent, memory_bytes = excluded.memory_bytes, memory_total_bytes = excluded.memory_total_bytes,
         disk_used_bytes = excluded.disk_used_bytes, disk_total_bytes = excluded.disk_total_bytes, restarts = excluded.restarts`,
      [to, to, from, to, since, until],
    );
    return result.rowCount;
  }

  /** The newest bucket of a resolution (where the next roll-up resumes), or undefined. */
  async newest(step: number): Promise<Date | undefined> {
    const row = await this.db('installation_metrics').where('step_seconds', step).max<{ max: Date | null }>('at as max').first();
    return row?.max ?? undefined;
  }

  /** Deletes rows of a resolution older than `before`; returns how many. */
  purge(step: number, before: Date): Promise<number> {
    return this.db('installation_metrics').where('step_seconds', step).andWhere('at', '<', before).delete();
  }

  /**
   * One installation's series over [from, to): stored rows of `source`, averaged into `step`-second
   * buckets when coarser (24h reads raw rows by 5 minutes, always current).
   */
  async series(installationId: string, source: number, step: number, from: Date, to: Date): Promise<{ host: HostMetricsPoint[]; components: { name: string; points: ComponentMetricsPoint[] }[] }> {
    const rows =
      step === source
        ? await this.db('installation_metrics')
            .select<SeriesRow[]>('component', 'at', 'cpu_percent', 'memory_bytes', 'memory_total_bytes', 'disk_used_bytes', 'disk_total_bytes', 'restarts')
            .where({ installation_id: installationId, step_seconds: source })
            .andWhere('at', '>=', from)
            .andWhere('at', '<', to)
            .orderBy([{ column: 'component' }, { column: 'at' }])
        : (
            await this.db.raw<{ rows: SeriesRow[] }>(
              `SELECT component, date_bin(make_interval(secs => ?), at, timestamptz 'epoch') AS at,
                      avg(cpu_percent) AS cpu_percent, round(avg(memory_bytes))::int8 AS memory_bytes, round(avg(memory_total_bytes))::int8 AS memory_total_bytes,
                      round(avg(disk_used_bytes))::int8 AS disk_used_bytes, round(avg(disk_total_bytes))::int8 AS disk_total_bytes, max(restarts) AS restarts
               FROM installation_metrics
               WHERE installation_id = ? AND step_seconds = ? AND at >= ? AND at < ?
               GROUP BY component, 2 ORDER BY component, 2`,
              [step, installationId, source, from, to],
            )
          ).rows;
    const host: HostMetricsPoint[] = [];
    const components = new Map<string, ComponentMetricsPoint[]>();
    for (const r of rows) {
      const at = new Date(r.at).toISOString();
      const cpuPercent = Math.round(Number(r.cpu_percent) * 100) / 100;
      if (r.component === HOST_SERIES) {
        host.push({ at, cpuPercent, memoryUsedBytes: Number(r.memory_bytes), memoryTotalBytes: num(r.memory_total_bytes), diskUsedBytes: num(r.disk_used_bytes), diskTotalBytes: num(r.disk_total_bytes) });
      } else {
        const points = components.get(r.component) ?? [];
        points.push({ at, cpuPercent, memoryBytes: Number(r.memory_bytes), restarts: r.restarts });
        components.set(r.component, points);
      }
    }
    return { host, components: [...components].map(([name, points]) => ({ name, points })) };
  }

  /** Why the latest raw sample had no component figures (null: it had, or there is none). */
  async latestUnavailable(installationId: string): Promise<string | null> {
    const row = await this.db('installation_metrics')
      .select<{ unavailable: string | null }>('unavailable')
      .where({ installation_id: installationId, step_seconds: 0, component: HOST_SERIES })
      .orderBy('at', 'desc')
      .first();
    return row?.unavailable ?? null;
  }
}

import semver from 'semver';
import type { ComponentState, FleetSummary } from '@flotilla/protocol';
import type { Database } from '../../infra/index.js';
import type { Scope } from '../access/roles.js';
import { versionTruth } from '../installations/version-truth.js';

export interface FleetRow {
  id: string;
  name: string;
  customer_id: string;
  customer_name: string;
  track_id: string | null;
  track_name: string | null;
  health: string;
  online: boolean;
  /** The release of the last deploy (the installation runs it only once converged, see runsRelease). */
  release_version: string | null;
  released_at: Date | null;
  desired_version: string | null;
  desired_revision: number;
  applied_revision: number;
  desired_components: Record<string, string>;
  components: Pick<ComponentState, 'name' | 'version'>[];
}

/** The installation runs the release it was last given: the agent applied it and every component runs its version. */
export function runsRelease(r: FleetRow): boolean {
  if (r.release_version === null) return false;
  return versionTruth({ desiredVersion: r.desired_version, desiredRevision: r.desired_revision, appliedRevision: r.applied_revision, desired: r.desired_components, reported: r.components }).converged;
}

const DAY_MS = 86_400_000;

/**
 * Pure: the fleet summary from installations and each track's ready release versions. An
 * installation counts as running a release only when it truly does (runsRelease); one still
 * converging, or drifting, runs no known release (null). An installation is as far behind as the number of ready releases of its track newer than its own;
 * its version age is the days since its release was released (locked).
 */
export function summarize(rows: readonly FleetRow[], readyVersionsByTrack: ReadonlyMap<string, readonly string[]>, now: Date): FleetSummary {
  const byHealth: Record<string, number> = {};
  const byVersion = new Map<string, FleetSummary['byVersion'][number]>();
  const installations = rows.map((r) => {
    byHealth[r.health] = (byHealth[r.health] ?? 0) + 1;
    const runs = runsRelease(r);
    const current = runs ? r.release_version : null;
    const releasedAt = runs ? r.released_at : null;
    const key = `${r.track_id ?? ''}|${current ?? ''}`;
    const group = byVersion.get(key) ?? { trackId: r.track_id, trackName: r.track_name, version: current, count: 0 };
    group.count += 1;
    byVersion.set(key, group);
    const ready = r.track_id ? (readyVersionsByTrack.get(r.track_id) ?? []) : [];
    const latest = ready.reduce<string | null>((max, v) => (max === null || semver.gt(v, max) ? v : max), null);
    return {
      id: r.id,
      name: r.name,
      customerId: r.customer_id,
      customerName: r.customer_name,
      trackId: r.track_id,
      version: current,
      latestVersion: latest,
      releasesBehind: current === null ? null : ready.filter((v) => semver.gt(v, current)).length,
      versionAgeDays: releasedAt === null ? null : Math.floor(((now.getTime() - releasedAt.getTime()) / DAY_MS) * 10) / 10,
      health: r.health,
      online: r.online,
    };
  });
  return {
    total: rows.length,
    online: rows.filter((r) => r.online).length,
    byHealth,
    byVersion: [...byVersion.values()].sort((a, b) => b.count - a.count),
    installations,
  };
}

export class FleetService {
  constructor(private readonly db: Database) {}

  async summary(scope: Scope, now = new Date()): Promise<FleetSummary> {
    const q = this.db('installations as i')
      .join('customers as c', 'c.id', 'i.customer_id')
      .leftJoin('tracks as t', 't.id', 'i.track_id')
      .leftJoin('releases as r', 'r.id', 'i.release_id')
      .where('i.vendor_id', scope.vendorId)
      .orderBy('i.created_at')
      .select('i.id', 'i.name', 'i.customer_id', 'c.name as customer_name', 'i.track_id', 't.name as track_name', 'i.health', 'i.online', 'r.version as release_version', this.db.raw('COALESCE(r.locked_at, r.created_at) AS released_at'),
        'i.desired_version', 'i.desired_revision', 'i.applied_revision', 'i.desired_components', 'i.components');
    if (scope.customerId !== null) q.where('i.customer_id', scope.customerId);
    const rows: FleetRow[] = await q;
    const trackIds = [...new Set(rows.flatMap((r) => (r.track_id ? [r.track_id] : [])))];
    const ready: { track_id: string; version: string }[] = trackIds.length === 0 ? [] : await this.db('releases').where({ vendor_id: scope.vendorId, status: 'ready' }).whereIn('track_id', trackIds).select('track_id', 'version');
    const byTrack = new Map<string, string[]>();
    for (const r of ready) byTrack.set(r.track_id, [...(byTrack.get(r.track_id) ?? []), r.version]);
    return summarize(rows, byTrack, now);
  }
}

import type { ChecklistItem, FailedRelease, Release, Track } from '@flotilla/protocol';
import type { Knex } from 'knex';
import type { Database } from '../../infra/index.js';
import type { Deployment, ReleaseStatus } from './lifecycle.js';

export interface StoredComponent {
  applicationId: string;
  versionId: string | null;
  instructions: string | null;
}

export interface ReleaseRow {
  id: string;
  vendor_id: string;
  track_id: string;
  version: string;
  name: string | null;
  notes: string | null;
  status: ReleaseStatus;
  required: boolean;
  deployment: Deployment;
  stages: StoredComponent[][];
  checklist: ChecklistItem[];
  locked_at: Date | null;
  first_deployed_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export const toRelease = (r: ReleaseRow): Release => ({
  id: r.id,
  vendorId: r.vendor_id,
  trackId: r.track_id,
  version: r.version,
  name: r.name,
  notes: r.notes,
  status: r.status,
  locked: r.status !== 'draft',
  required: r.required,
  deployment: r.deployment,
  stages: r.stages,
  checklist: r.checklist,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
  lockedAt: r.locked_at?.toISOString() ?? null,
  firstDeployedAt: r.first_deployed_at?.toISOString() ?? null,
});

interface TrackRow {
  id: string;
  vendor_id: string;
  name: string;
  description: string | null;
  created_at: Date;
  updated_at: Date;
}

/** Tracks and releases of one vendor. */
export class ReleaseRepository {
  constructor(private readonly db: Database) {}

  private async toTrack(r: TrackRow, trx: Knex | Knex.Transaction = this.db): Promise<Track> {
    const apps: { application_id: string }[] = await trx('track_applications').where({ track_id: r.id }).orderBy('position').select('application_id');
    return { id: r.id, vendorId: r.vendor_id, name: r.name, description: r.description, applicationIds: apps.map((a) => a.application_id), createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString() };
  }

  async listTracks(vendorId: string): Promise<Track[]> {
    const rows: TrackRow[] = await this.db('tracks').where({ vendor_id: vendorId }).orderBy('created_at');
    return Promise.all(rows.map((r) => this.toTrack(r)));
  }

  async getTrack(vendorId: string, id: string): Promise<Track | undefined> {
    const row: TrackRow | undefined = await this.db('tracks').where({ vendor_id: vendorId, id }).first();
    return row && this.toTrack(row);
  }

  /** Creates or updates a track and replaces its application list, in one transaction. */
  async saveTrack(vendorId: string, id: string | null, fields: { name?: string; description?: string | null }, applicationIds: string[] | undefined): Promise<Track> {
    return this.db.transaction(async (trx) => {
      let row: TrackRow;
      if (id === null) {
        [row] = (await trx('tracks').insert({ vendor_id: vendorId, name: fields.name, description: fields.description ?? null }).returning('*')) as TrackRow[] as [TrackRow];
      } else {
        [row] = (await trx('tracks').where({ vendor_id: vendorId, id }).update({ ...fields, updated_at: trx.fn.now() }).returning('*')) as TrackRow[] as [TrackRow];
      }
      if (applicationIds) {
        await trx('track_applications').where({ track_id: row.id }).delete();
        if (applicationIds.length > 0) await trx('track_applications').insert(applicationIds.map((application_id, position) => ({ track_id: row.id, application_id, position })));
      }
      return this.toTrack(row, trx);
    });
  }

  listReleases(vendorId: string, trackId: string): Promise<ReleaseRow[]> {
    return this.db('releases').where({ vendor_id: vendorId, track_id: trackId });
  }

  async getRelease(vendorId: string, id: string): Promise<ReleaseRow | undefined> {
    return this.db('releases').where({ vendor_id: vendorId, id }).first();
  }

  async createRelease(vendorId: string, trackId: string, r: { version: string; name: string | null; notes: string | null; stages: StoredComponent[][]; checklist: ChecklistItem[]; required: boolean }): Promise<ReleaseRow> {
    const [row] = await this.db('releases')
      .insert({ vendor_id: vendorId, track_id: trackId, version: r.version, name: r.name, notes: r.notes, stages: JSON.stringify(r.stages), checklist: JSON.stringify(r.checklist), required: r.required })
      .returning('*');
    return row as ReleaseRow;
  }

  /**
   * Updates a release only if it is still in the status the decision was made on (optimistic:
   * a concurrent lock cannot slip between the check and the write).
   */
  async updateRelease(vendorId: string, id: string, expectedStatus: ReleaseStatus, patch: Record<string, unknown>): Promise<ReleaseRow | undefined> {
    const values: Record<string, unknown> = { ...patch, updated_at: this.db.fn.now() };
    for (const k of ['stages', 'checklist'] as const) if (k in values) values[k] = JSON.stringify(values[k]);
    const [row] = await this.db('releases').where({ vendor_id: vendorId, id, status: expectedStatus }).update(values).returning('*');
    return row as ReleaseRow | undefined;
  }

  async deleteRelease(vendorId: string, id: string, expectedStatus: ReleaseStatus): Promise<boolean> {
    return (await this.db('releases').where({ vendor_id: vendorId, id, status: expectedStatus }).delete()) > 0;
  }

  /**
   * Records a deploy of the release: partially deployed, or completely once every installation of
   * its track runs it.
   */
  /**
   * The releases rollouts failed to bring to an installation (its target failed or was rolled back),
   * the latest attempt per release first; not the release it runs now.
   */
  async failedOn(vendorId: string, installationId: string, currentReleaseId: string | null): Promise<FailedRelease[]> {
    const rows: { release_id: string; version: string; rollout_id: string; status: 'failed' | 'rolled_back'; message: string | null; finished_at: Date | null }[] = await this.db
      .select('*')
      .from(
        this.db('rollout_targets as t')
          .join('rollouts as r', 'r.id', 't.rollout_id')
          .join('releases as rel', 'rel.id', 'r.release_id')
          .where({ 't.vendor_id': vendorId, 't.installation_id': installationId })
          .whereIn('t.status', ['failed', 'rolled_back'] satisfies FailedRelease['status'][])
          .modify((q) => {
            if (currentReleaseId) q.whereNot('r.release_id', currentReleaseId);
          })
          // A later rollout of the same release that succeeded there makes the failure history.
          .whereNotExists(
            this.db('rollout_targets as s')
              .join('rollouts as sr', 'sr.id', 's.rollout_id')
              .whereRaw('s.installation_id = t.installation_id AND sr.release_id = r.release_id')
              .where('s.status', 'succeeded')
              .whereRaw('s.finished_at > t.finished_at')
              .select(this.db.raw('1')),
          )
          .distinctOn('r.release_id')
          .orderBy([{ column: 'r.release_id' }, { column: 't.finished_at', order: 'desc', nulls: 'last' }])
          .select('r.release_id', 'rel.version', 't.rollout_id', 't.status', 't.message', 't.finished_at')
          .as('latest'),
      )
      .orderBy('finished_at', 'desc');
    return rows.map((r) => ({ releaseId: r.release_id, version: r.version, rolloutId: r.rollout_id, status: r.status, message: r.message, at: r.finished_at?.toISOString() ?? null }));
  }

  async markDeployed(vendorId: string, releaseId: string, trackId: string): Promise<void> {
    const [left] = (await this.db('installations')
      .where({ vendor_id: vendorId, track_id: trackId })
      .where((q) => q.whereNull('release_id').orWhereNot('release_id', releaseId))
      .count({ n: '*' })) as { n: number }[];
    await this.db('releases')
      .where({ vendor_id: vendorId, id: releaseId })
      .update({ deployment: (left?.n ?? 0) === 0 ? 'complete' : 'partial', first_deployed_at: this.db.raw('COALESCE(first_deployed_at, now())'), updated_at: this.db.fn.now() });
  }

  /** Application versions by id, with their application, limited to the vendor. */
  async versionsById(vendorId: string, ids: string[]): Promise<Map<string, { applicationId: string; applicationName: string; version: string; archived: boolean }>> {
    if (ids.length === 0) return new Map();
    const rows: { id: string; application_id: string; application_name: string; version: string; archived_at: Date | null }[] = await this.db('application_versions as v')
      .join('applications as a', 'a.id', 'v.application_id')
      .where('v.vendor_id', vendorId)
      .whereIn('v.id', ids)
      .select('v.id', 'v.application_id', 'a.name as application_name', 'v.version', 'v.archived_at');
    return new Map(rows.map((r) => [r.id, { applicationId: r.application_id, applicationName: r.application_name, version: r.version, archived: r.archived_at !== null }]));
  }

  async applicationsOfVendor(vendorId: string, ids: string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows: { id: string }[] = await this.db('applications').where({ vendor_id: vendorId }).whereIn('id', ids).select('id');
    return rows.map((r) => r.id);
  }
}

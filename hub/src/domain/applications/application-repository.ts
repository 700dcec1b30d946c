import type { Application, ApplicationVersion, ComposeSpec, HelmSpec } from '@flotilla/protocol';
import type { Database } from '../../infra/index.js';
import { paginate, type Page, type PageRequest } from '../shared/pagination.js';

interface ApplicationRow {
  id: string;
  vendor_id: string;
  name: string;
  kind: 'compose' | 'helm';
  description: string | null;
  created_at: Date;
  updated_at: Date;
}

interface VersionRow {
  id: string;
  vendor_id: string;
  application_id: string;
  version: string;
  compose: ComposeSpec | null;
  helm: HelmSpec | null;
  notes: string | null;
  archived_at: Date | null;
  first_deployed_at: Date | null;
  created_at: Date;
}

const toApplication = (r: ApplicationRow): Application => ({
  id: r.id,
  vendorId: r.vendor_id,
  name: r.name,
  kind: r.kind,
  description: r.description,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

/** A version as stored, with its helm credentials: for desired states, never for REST (see toVersionView). */
export type VersionRecord = Omit<ApplicationVersion, 'helm'> & { helm: HelmSpec | null };

/** `pinned`: some release pins the version (see pinnedVersionIds); with a first deploy, it is in use. */
const toVersion = (r: VersionRow, pinned: boolean): VersionRecord => ({
  id: r.id,
  applicationId: r.application_id,
  version: r.version,
  compose: r.compose,
  helm: r.helm,
  notes: r.notes,
  archivedAt: r.archived_at?.toISOString() ?? null,
  inUse: pinned || r.first_deployed_at !== null,
  createdAt: r.created_at.toISOString(),
});

/** The version ids pinned anywhere in a release's stages (`[[{versionId}]]`). */
const PINNED_VERSION_IDS = `SELECT DISTINCT c->>'versionId' AS version_id
  FROM releases r CROSS JOIN LATERAL jsonb_array_elements(r.stages) s CROSS JOIN LATERAL jsonb_array_elements(s) c
 WHERE r.vendor_id = ? AND c->>'versionId' = ANY(?::text[])`;

/** Applications and their versions, always within one vendor. */
export class ApplicationRepository {
  constructor(private readonly db: Database) {}

  list(vendorId: string, page: PageRequest): Promise<Page<Application>> {
    return paginate(this.db('applications').where({ vendor_id: vendorId }).select('*'), page, toApplication, 'applications');
  }

  async get(vendorId: string, id: string): Promise<Application | undefined> {
    const row = await this.db<ApplicationRow>('applications').where({ vendor_id: vendorId, id }).first();
    return row && toApplication(row);
  }

  async create(vendorId: string, input: { name: string; kind: 'compose' | 'helm'; description?: string | undefined }): Promise<Application> {
    const [row] = await this.db('applications')
      .insert({ vendor_id: vendorId, name: input.name, kind: input.kind, description: input.description ?? null })
      .returning('*');
    return toApplication(row as ApplicationRow);
  }

  async update(vendorId: string, id: string, patch: { name?: string | undefined; description?: string | null | undefined }): Promise<Application | undefined> {
    const [row] = await this.db('applications')
      .where({ vendor_id: vendorId, id })
      .update({ ...patch, updated_at: this.db.fn.now() })
      .returning('*');
    return row && toApplication(row as ApplicationRow);
  }

  async delete(vendorId: string, id: string): Promise<boolean> {
    return (await this.db('applications').where({ vendor_id: vendorId, id }).delete()) > 0;
  }

  async listVersions(vendorId: string, applicationId: string, page: PageRequest): Promise<Page<VersionRecord>> {
    const found = await paginate(this.db('application_versions').where({ vendor_id: vendorId, application_id: applicationId }).select('*'), page, (r: VersionRow) => r, 'application_versions');
    return { ...found, items: await this.withUse(vendorId, found.items) };
  }

  async getVersion(vendorId: string, applicationId: string, id: string): Promise<VersionRecord | undefined> {
    const row = await this.db<VersionRow>('application_versions').where({ vendor_id: vendorId, application_id: applicationId, id }).first();
    return row && (await this.withUse(vendorId, [row]))[0];
  }

  /** A version looked up by its id alone (deploy), with its application. */
  async findVersion(vendorId: string, id: string): Promise<{ version: VersionRecord; application: Application } | undefined> {
    const version = await this.db<VersionRow>('application_versions').where({ vendor_id: vendorId, id }).first();
    if (!version) return undefined;
    const application = await this.db<ApplicationRow>('applications').where({ vendor_id: vendorId, id: version.application_id }).first();
    return application && { version: toVersion(version, false), application: toApplication(application) };
  }

  async createVersion(
    vendorId: string,
    applicationId: string,
    input: { version: string; compose: ComposeSpec | null; helm: HelmSpec | null; notes: string | null },
  ): Promise<VersionRecord> {
    const [row] = await this.db('application_versions')
      .insert({
        vendor_id: vendorId,
        application_id: applicationId,
        version: input.version,
        compose: input.compose ? JSON.stringify(input.compose) : null,
        helm: input.helm ? JSON.stringify(input.helm) : null,
        notes: input.notes,
      })
      .returning('*');
    return toVersion(row as VersionRow, false);
  }

  /** Notes and/or the archive mark (`archived`: true sets it, false clears it; an archived version keeps its first date). */
  async updateVersion(vendorId: string, applicationId: string, id: string, patch: { notes?: string | null | undefined; archived?: boolean | undefined }): Promise<VersionRecord | undefined> {
    const values: Record<string, unknown> = { updated_at: this.db.fn.now() };
    if (patch.notes !== undefined) values.notes = patch.notes;
    if (patch.archived === true) values.archived_at = this.db.raw('COALESCE(archived_at, now())');
    if (patch.archived === false) values.archived_at = null;
    const [row] = await this.db('application_versions').where({ vendor_id: vendorId, application_id: applicationId, id }).update(values).returning('*');
    return row && (await this.withUse(vendorId, [row as VersionRow]))[0];
  }

  /**
   * Deletes a version only while it is not in use (never deployed, pinned by no release), in one
   * statement. `in-use` when it exists but is in use, `missing` when there is no such version.
   */
  async deleteUnusedVersion(vendorId: string, applicationId: string, id: string): Promise<'deleted' | 'in-use' | 'missing'> {
    const deleted = await this.db('application_versions')
      .where({ vendor_id: vendorId, application_id: applicationId, id })
      .whereNull('first_deployed_at')
      .whereRaw(`NOT EXISTS (${PINNED_VERSION_IDS})`, [vendorId, [id]])
      .delete();
    if (deleted > 0) return 'deleted';
    return (await this.getVersion(vendorId, applicationId, id)) ? 'in-use' : 'missing';
  }

  /** Versions by id with their applications, in one query (release deploys). */
  async versionsWithApplications(vendorId: string, ids: string[]): Promise<Map<string, { version: VersionRecord; application: Application }>> {
    if (ids.length === 0) return new Map();
    const rows: (VersionRow & { app_name: string; app_kind: 'compose' | 'helm'; app_description: string | null; app_created_at: Date; app_updated_at: Date })[] = await this.db('application_versions as v')
      .join('applications as a', 'a.id', 'v.application_id')
      .where('v.vendor_id', vendorId)
      .whereIn('v.id', ids)
      .select('v.*', 'a.name as app_name', 'a.kind as app_kind', 'a.description as app_description', 'a.created_at as app_created_at', 'a.updated_at as app_updated_at');
    return new Map(
      rows.map((r) => [
        r.id,
        {
          // Pinned by the release being deployed.
          version: toVersion(r, true),
          application: toApplication({ id: r.application_id, vendor_id: r.vendor_id, name: r.app_name, kind: r.app_kind, description: r.app_description, created_at: r.app_created_at, updated_at: r.app_updated_at }),
        },
      ]),
    );
  }

  /** The records of version rows, `inUse` included (one query for the release pins of all of them). */
  private async withUse(vendorId: string, rows: readonly VersionRow[]): Promise<VersionRecord[]> {
    const unknown = rows.filter((r) => r.first_deployed_at === null).map((r) => r.id);
    const pinned = new Set<string>();
    if (unknown.length > 0) {
      const found: { rows: { version_id: string }[] } = await this.db.raw(PINNED_VERSION_IDS, [vendorId, unknown]);
      for (const r of found.rows) pinned.add(r.version_id);
    }
    return rows.map((r) => toVersion(r, pinned.has(r.id)));
  }

  /** Is any installation's current desired state built from this application? */
  async inUse(vendorId: string, applicationId: string): Promise<boolean> {
    const row = await this.db('desired_states as d')
      .join('installations as i', function () {
        this.on('i.id', 'd.installation_id').andOn('i.desired_revision', 'd.revision');
      })
      .where('d.vendor_id', vendorId)
      .whereRaw(`d.source->>'applicationId' = ?`, [applicationId])
      .first('d.installation_id');
    return row !== undefined;
  }
}

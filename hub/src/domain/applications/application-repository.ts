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

const toVersion = (r: VersionRow): VersionRecord => ({
  id: r.id,
  applicationId: r.application_id,
  version: r.version,
  compose: r.compose,
  helm: r.helm,
  notes: r.notes,
  archivedAt: null, // PLACEHOLDER(#13 helper versions-api)
  inUse: false, // PLACEHOLDER(#13 helper versions-api)
  createdAt: r.created_at.toISOString(),
});

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

  listVersions(vendorId: string, applicationId: string, page: PageRequest): Promise<Page<VersionRecord>> {
    return paginate(
      this.db('application_versions').where({ vendor_id: vendorId, application_id: applicationId }).select('*'),
      page,
      toVersion,
      'application_versions',
    );
  }

  async getVersion(vendorId: string, applicationId: string, id: string): Promise<VersionRecord | undefined> {
    const row = await this.db<VersionRow>('application_versions').where({ vendor_id: vendorId, application_id: applicationId, id }).first();
    return row && toVersion(row);
  }

  /** A version looked up by its id alone (deploy), with its application. */
  async findVersion(vendorId: string, id: string): Promise<{ version: VersionRecord; application: Application } | undefined> {
    const version = await this.db<VersionRow>('application_versions').where({ vendor_id: vendorId, id }).first();
    if (!version) return undefined;
    const application = await this.db<ApplicationRow>('applications').where({ vendor_id: vendorId, id: version.application_id }).first();
    return application && { version: toVersion(version), application: toApplication(application) };
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
    return toVersion(row as VersionRow);
  }

  async updateVersionNotes(vendorId: string, applicationId: string, id: string, notes: string | null): Promise<VersionRecord | undefined> {
    const [row] = await this.db('application_versions')
      .where({ vendor_id: vendorId, application_id: applicationId, id })
      .update({ notes, updated_at: this.db.fn.now() })
      .returning('*');
    return row && toVersion(row as VersionRow);
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
          version: toVersion(r),
          application: toApplication({ id: r.application_id, vendor_id: r.vendor_id, name: r.app_name, kind: r.app_kind, description: r.app_description, created_at: r.app_created_at, updated_at: r.app_updated_at }),
        },
      ]),
    );
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

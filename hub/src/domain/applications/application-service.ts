import type { Application, ApplicationVersion, CreateApplicationBody, CreateVersionBody } from '@flotilla/protocol';
import { AppError } from '../../errors.js';
import { conflictOnDuplicate, isUuid } from '../shared/db-errors.js';
import type { Page, PageRequest } from '../shared/pagination.js';
import type { ApplicationRepository } from './application-repository.js';
import { validateComposeFile, validateEnvFile } from './compose-validation.js';
import { validateHelmSpec } from './helm-validation.js';
import { toVersionView } from './version-view.js';
import { describeIssue, documentIssues } from './validation-issues.js';

export class ApplicationService {
  constructor(private readonly repo: ApplicationRepository) {}

  list(vendorId: string, page: PageRequest): Promise<Page<Application>> {
    return this.repo.list(vendorId, page);
  }

  async get(vendorId: string, id: string): Promise<Application> {
    const app = isUuid(id) ? await this.repo.get(vendorId, id) : undefined;
    if (!app) throw AppError.notFound('Application');
    return app;
  }

  async create(vendorId: string, body: CreateApplicationBody): Promise<Application> {
    return conflictOnDuplicate(() => this.repo.create(vendorId, body), `An application named "${body.name}" already exists`);
  }

  async update(vendorId: string, id: string, patch: { name?: string | undefined; description?: string | null | undefined }): Promise<Application> {
    await this.get(vendorId, id);
    const app = await conflictOnDuplicate(() => this.repo.update(vendorId, id, patch), `An application named "${patch.name ?? ''}" already exists`);
    if (!app) throw AppError.notFound('Application');
    return app;
  }

  async delete(vendorId: string, id: string): Promise<void> {
    await this.get(vendorId, id);
    if (await this.repo.inUse(vendorId, id)) throw new AppError('CONFLICT', 'The application is deployed to installations; deploy something else to them first');
    await this.repo.delete(vendorId, id);
  }

  async listVersions(vendorId: string, applicationId: string, page: PageRequest): Promise<Page<ApplicationVersion>> {
    await this.get(vendorId, applicationId);
    const found = await this.repo.listVersions(vendorId, applicationId, page);
    return { ...found, items: found.items.map(toVersionView) };
  }

  async getVersion(vendorId: string, applicationId: string, id: string): Promise<ApplicationVersion> {
    await this.get(vendorId, applicationId);
    const v = isUuid(id) ? await this.repo.getVersion(vendorId, applicationId, id) : undefined;
    if (!v) throw AppError.notFound('Version');
    return toVersionView(v);
  }

  /** Versions are immutable once created (an installation may run them); only notes change. */
  async createVersion(vendorId: string, applicationId: string, body: CreateVersionBody): Promise<ApplicationVersion> {
    const app = await this.get(vendorId, applicationId);
    const given = 'compose' in body ? 'compose' : 'helm';
    if (given !== app.kind) throw new AppError('VALIDATION_FAILED', `Application "${app.name}" is of kind ${app.kind}; give "${app.kind}": {…}, not "${given}"`);
    const issues =
      'compose' in body
        ? [...documentIssues('compose.file', validateComposeFile(body.compose.file)), ...documentIssues('compose.env', validateEnvFile(body.compose.env ?? ''))]
        : validateHelmSpec(body.helm);
    if (issues.length > 0) throw new AppError('VALIDATION_FAILED', `Invalid ${app.kind} version: ${issues.map(describeIssue).join('; ')}`, { issues });
    const created = await conflictOnDuplicate(
      () =>
        this.repo.createVersion(vendorId, applicationId, {
          version: body.version,
          compose: 'compose' in body ? body.compose : null,
          helm: 'helm' in body ? body.helm : null,
          notes: body.notes ?? null,
        }),
      `Version ${body.version} of "${app.name}" already exists; versions are immutable, create a new one`,
    );
    return toVersionView(created);
  }

  /** Notes, and archive (hidden from new releases and direct deploys, kept for history) or restore. */
  async updateVersion(vendorId: string, applicationId: string, id: string, patch: { notes?: string | null | undefined; archived?: boolean | undefined }): Promise<ApplicationVersion> {
    await this.getVersion(vendorId, applicationId, id);
    const v = await this.repo.updateVersion(vendorId, applicationId, id, patch);
    if (!v) throw AppError.notFound('Version');
    return toVersionView(v);
  }

  /** Only a version never deployed and pinned by no release goes; any other can be archived. */
  async deleteVersion(vendorId: string, applicationId: string, id: string): Promise<void> {
    const app = await this.get(vendorId, applicationId);
    const v = await this.getVersion(vendorId, applicationId, id);
    const outcome = await this.repo.deleteUnusedVersion(vendorId, applicationId, id);
    if (outcome === 'missing') throw AppError.notFound('Version');
    if (outcome === 'in-use') {
      throw new AppError('CONFLICT', `Version ${v.version} of "${app.name}" has been deployed or is pinned by a release, so it cannot be deleted; archive it instead`);
    }
  }
}

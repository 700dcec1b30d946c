import type { Application, ApplicationVersion, CreateApplicationBody, CreateVersionBody } from '@flotilla/protocol';
import { AppError } from '../../errors.js';
import { conflictOnDuplicate, isUuid } from '../shared/db-errors.js';
import type { Page, PageRequest } from '../shared/pagination.js';
import type { ApplicationRepository } from './application-repository.js';
import { validateComposeFile, validateEnvFile } from './compose-validation.js';

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
    if (body.kind === 'helm') throw new AppError('VALIDATION_FAILED', 'Helm applications arrive with release management; use kind "compose"');
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
    return this.repo.listVersions(vendorId, applicationId, page);
  }

  async getVersion(vendorId: string, applicationId: string, id: string): Promise<ApplicationVersion> {
    await this.get(vendorId, applicationId);
    const v = isUuid(id) ? await this.repo.getVersion(vendorId, applicationId, id) : undefined;
    if (!v) throw AppError.notFound('Version');
    return v;
  }

  /** Versions are immutable once created (an installation may run them); only notes change. */
  async createVersion(vendorId: string, applicationId: string, body: CreateVersionBody): Promise<ApplicationVersion> {
    const app = await this.get(vendorId, applicationId);
    if (!('compose' in body)) throw new AppError('VALIDATION_FAILED', `Application "${app.name}" is of kind ${app.kind}; give "compose": {file, env?}`);
    if (app.kind !== 'compose') throw new AppError('VALIDATION_FAILED', `Application "${app.name}" is of kind ${app.kind}; a compose version does not fit`);
    const problems = [...validateComposeFile(body.compose.file), ...validateEnvFile(body.compose.env ?? '')];
    if (problems.length > 0) {
      throw new AppError('VALIDATION_FAILED', `Invalid compose version: ${problems.join('; ')}`, { issues: problems.map((message) => ({ path: 'compose', message })) });
    }
    return conflictOnDuplicate(
      () => this.repo.createVersion(vendorId, applicationId, { version: body.version, compose: body.compose, helm: null, notes: body.notes ?? null }),
      `Version ${body.version} of "${app.name}" already exists; versions are immutable, create a new one`,
    );
  }

  async updateVersion(vendorId: string, applicationId: string, id: string, notes: string | null): Promise<ApplicationVersion> {
    await this.getVersion(vendorId, applicationId, id);
    const v = await this.repo.updateVersionNotes(vendorId, applicationId, id, notes);
    if (!v) throw AppError.notFound('Version');
    return v;
  }
}

import semver from 'semver';
import type { ChecklistItem, CreateReleaseBody, CreateTrackBody, InstallationUpdates, Release, Track, UpdateReleaseBody, UpdateTrackBody } from '@flotilla/protocol';
import { AppError } from '../../errors.js';
import { conflictOnDuplicate, isForeignKeyViolation, isUuid } from '../shared/db-errors.js';
import { transition, type ReleaseAction } from './lifecycle.js';
import { entitles, type EntitlementService } from './entitlements.js';
import type { Scope } from '../access/roles.js';
import { toRelease, type ReleaseRepository, type ReleaseRow, type StoredComponent } from './release-repository.js';

type Stages = NonNullable<CreateReleaseBody['stages']>;

/** Tracks (products) and their releases: semver versions, stages in release order, a checklist, the lifecycle. */
export class ReleaseService {
  constructor(
    private readonly repo: ReleaseRepository,
    private readonly entitlements: EntitlementService,
  ) {}

  /** Vendor users see every track; customer users only those they are entitled to. */
  async listTracks(scope: Scope): Promise<Track[]> {
    const tracks = await this.repo.listTracks(scope.vendorId);
    if (scope.customerId === null) return tracks;
    const entitled = await this.entitlements.entitledTrackIds(scope.vendorId, scope.customerId);
    return tracks.filter((t) => entitled.has(t.id));
  }

  /** Whether a track may be used in this scope: any of the vendor's for vendor users, an entitled one for customer users. */
  async trackVisible(scope: Scope, trackId: string): Promise<boolean> {
    if (scope.customerId === null) return (await this.repo.getTrack(scope.vendorId, trackId)) !== undefined;
    return (await this.entitlements.entitledTrackIds(scope.vendorId, scope.customerId)).has(trackId);
  }

  async getTrack(scope: Scope | string, id: string): Promise<Track> {
    const s = typeof scope === 'string' ? { vendorId: scope, customerId: null } : scope;
    const t = isUuid(id) ? await this.repo.getTrack(s.vendorId, id) : undefined;
    if (!t || (s.customerId !== null && !(await this.entitlements.entitledTrackIds(s.vendorId, s.customerId)).has(t.id))) throw AppError.notFound('Track');
    return t;
  }

  /**
   * Ready releases of a track that a customer may install, newer than `current` (all when null),
   * newest first. The installation's customer's entitlement decides, whoever asks.
   */
  async newerReleases(vendorId: string, customerId: string, trackId: string, current: string | null): Promise<Release[]> {
    const entitlement = await this.entitlements.forTrack(vendorId, customerId, trackId);
    if (!entitlement) return [];
    const now = new Date();
    const rows = await this.repo.listReleases(vendorId, trackId);
    return rows
      .filter((r) => r.status === 'ready' && entitles(entitlement, r.version, now) && (current === null || !semver.valid(current) || semver.gt(r.version, current)))
      .sort((a, b) => semver.rcompare(a.version, b.version))
      .map(toRelease);
  }

  /**
   * `GET /installations/:id/updates`: the release it runs, the newer ones its customer may install,
   * and the releases that failed there (shown as failed, not offered as updates).
   */
  async updatesFor(installation: { vendor_id: string; id: string; customer_id: string; track_id: string | null; release_id: string | null }): Promise<InstallationUpdates> {
    const currentVersion = await this.currentVersion(installation.vendor_id, installation.release_id);
    const failed = await this.repo.failedOn(installation.vendor_id, installation.id, installation.release_id);
    const failedIds = new Set(failed.map((f) => f.releaseId));
    const newer = installation.track_id ? await this.newerReleases(installation.vendor_id, installation.customer_id, installation.track_id, currentVersion) : [];
    return { currentVersion, items: newer.filter((r) => !failedIds.has(r.id)), failed };
  }

  async currentVersion(vendorId: string, releaseId: string | null): Promise<string | null> {
    return releaseId ? ((await this.repo.getRelease(vendorId, releaseId))?.version ?? null) : null;
  }

  /** Throws NOT_FOUND unless the customer may see (and so install) the release. */
  async assertEntitled(vendorId: string, customerId: string, release: ReleaseRow): Promise<void> {
    const e = await this.entitlements.forTrack(vendorId, customerId, release.track_id);
    if (release.status !== 'ready' || !e || !entitles(e, release.version, new Date())) throw AppError.notFound('Release');
  }

  async createTrack(vendorId: string, body: CreateTrackBody): Promise<Track> {
    const applicationIds = await this.ownApplications(vendorId, body.applicationIds ?? []);
    return conflictOnDuplicate(() => this.repo.saveTrack(vendorId, null, { name: body.name, description: body.description ?? null }, applicationIds), `A track named "${body.name}" already exists`);
  }

  async updateTrack(vendorId: string, id: string, body: UpdateTrackBody): Promise<Track> {
    await this.getTrack(vendorId, id);
    const applicationIds = body.applicationIds ? await this.ownApplications(vendorId, body.applicationIds) : undefined;
    const fields: { name?: string; description?: string | null } = {};
    if (body.name !== undefined) fields.name = body.name;
    if (body.description !== undefined) fields.description = body.description;
    return conflictOnDuplicate(() => this.repo.saveTrack(vendorId, id, fields, applicationIds), `A track named "${body.name ?? ''}" already exists`);
  }

  /** Newest first, by semver precedence. Customers see only ready releases their entitlement covers. */
  async listReleases(scope: Scope, trackId: string): Promise<Release[]> {
    await this.getTrack(scope, trackId);
    if (scope.customerId !== null) return this.newerReleases(scope.vendorId, scope.customerId, trackId, null);
    const rows = await this.repo.listReleases(scope.vendorId, trackId);
    return rows.sort((a, b) => semver.rcompare(a.version, b.version)).map(toRelease);
  }

  async getRelease(scope: Scope, id: string): Promise<Release> {
    const row = await this.row(scope.vendorId, id);
    if (scope.customerId !== null) await this.assertEntitled(scope.vendorId, scope.customerId, row);
    return toRelease(row);
  }

  async createRelease(vendorId: string, trackId: string, body: CreateReleaseBody): Promise<Release> {
    const track = await this.getTrack(vendorId, trackId);
    const version = validVersion(body.version);
    let stages: StoredComponent[][] = [];
    let checklist: ChecklistItem[] = (body.checklist ?? []).map((text) => ({ text, done: false }));
    let notes = body.notes ?? null;
    if (body.cloneFrom) {
      const source = await this.repo.getRelease(vendorId, body.cloneFrom);
      if (!source || source.track_id !== track.id) throw new AppError('VALIDATION_FAILED', 'cloneFrom: no release of this track with that id');
      stages = source.stages;
      checklist = body.checklist ? checklist : source.checklist.map((c) => ({ text: c.text, done: false }));
      notes ??= source.notes;
    }
    if (body.stages) stages = await this.checkStages(vendorId, track, body.stages, []);
    else await this.refuseArchived(vendorId, stages, []);
    const row = await conflictOnDuplicate(
      () => this.repo.createRelease(vendorId, track.id, { version, name: body.name ?? null, notes, stages, checklist, required: body.required ?? false }),
      `Release ${version} of "${track.name}" already exists`,
    );
    return toRelease(row);
  }

  /** Name and notes change until rescinded; version, stages and checklist only in draft. */
  async updateRelease(vendorId: string, id: string, body: UpdateReleaseBody): Promise<Release> {
    const row = await this.row(vendorId, id);
    const patch: Record<string, unknown> = {};
    if (body.version !== undefined || body.stages !== undefined || body.checklist !== undefined) {
      this.allowed(row, 'edit');
      if (body.version !== undefined) patch.version = validVersion(body.version);
      if (body.stages !== undefined) patch.stages = await this.checkStages(vendorId, await this.getTrack(vendorId, row.track_id), body.stages, row.stages);
      if (body.checklist !== undefined) patch.checklist = body.checklist;
    }
    if (row.status === 'rescinded') throw new AppError('CONFLICT', 'The release is rescinded: it can no longer be changed');
    if (body.name !== undefined) patch.name = body.name;
    if (body.notes !== undefined) patch.notes = body.notes;
    return toRelease(await this.write(vendorId, row, patch, `Release ${String(patch.version ?? row.version)} already exists in this track`));
  }

  /** lock | unlock | hold | resume | rescind, as the lifecycle allows. */
  async act(vendorId: string, id: string, action: Extract<ReleaseAction, 'lock' | 'unlock' | 'hold' | 'resume' | 'rescind'>): Promise<Release> {
    const row = await this.row(vendorId, id);
    const next = this.allowed(row, action);
    const patch: Record<string, unknown> = { status: next };
    if (action === 'lock') patch.locked_at = new Date();
    return toRelease(await this.write(vendorId, row, patch));
  }

  /**
   * require | unrequire: whether installations must pass through the release (see required-steps.ts).
   * Any status but rescinded: a withdrawn release is never a step, so marking it would mean nothing.
   */
  async setRequired(vendorId: string, id: string, required: boolean): Promise<Release> {
    const row = await this.row(vendorId, id);
    if (row.status === 'rescinded') throw new AppError('CONFLICT', `Release ${row.version} is rescinded: it is never deployed again, so it cannot be ${required ? 'required' : 'changed'}`);
    if (row.required === required) return toRelease(row);
    return toRelease(await this.write(vendorId, row, { required }));
  }

  async deleteRelease(vendorId: string, id: string): Promise<void> {
    const row = await this.row(vendorId, id);
    this.allowed(row, 'delete');
    let deleted: boolean;
    try {
      deleted = await this.repo.deleteRelease(vendorId, id, row.status);
    } catch (err) {
      // Rollouts reference their release (their history names it): such a release stays, rescinded.
      if (isForeignKeyViolation(err)) throw new AppError('CONFLICT', `Release ${row.version} was rolled out; its rollouts keep it in their history, so it cannot be deleted (it stays ${row.status})`);
      throw err;
    }
    if (!deleted) throw new AppError('CONFLICT', 'The release changed meanwhile; reload and retry');
  }

  private async row(vendorId: string, id: string): Promise<ReleaseRow> {
    const row = isUuid(id) ? await this.repo.getRelease(vendorId, id) : undefined;
    if (!row) throw AppError.notFound('Release');
    return row;
  }

  private allowed(row: ReleaseRow, action: ReleaseAction) {
    const components = row.stages.flat();
    const result = transition(
      { status: row.status, deployment: row.deployment, allPinned: components.length > 0 && components.every((c) => c.versionId !== null), checklistDone: row.checklist.every((c) => c.done) },
      action,
    );
    if (!result.ok) throw new AppError('CONFLICT', `Cannot ${action} release ${row.version}: ${result.reason}`, { status: row.status, deployment: row.deployment });
    return result.status;
  }

  private async write(vendorId: string, row: ReleaseRow, patch: Record<string, unknown>, duplicateMessage = 'Conflict'): Promise<ReleaseRow> {
    const updated = await conflictOnDuplicate(() => this.repo.updateRelease(vendorId, row.id, row.status, patch), duplicateMessage);
    if (!updated) throw new AppError('CONFLICT', 'The release changed meanwhile; reload and retry');
    return updated;
  }

  /**
   * Components must be the track's applications, each at most once, pinned to one of its own
   * versions. An archived version cannot be newly pinned (409); a pin the release already had stays.
   */
  private async checkStages(vendorId: string, track: Track, stages: Stages, pinnedBefore: StoredComponent[][]): Promise<StoredComponent[][]> {
    const all = stages.flat();
    const problems: string[] = [];
    const seen = new Set<string>();
    for (const c of all) {
      if (!track.applicationIds.includes(c.applicationId)) problems.push(`application ${c.applicationId} is not part of track "${track.name}"`);
      if (seen.has(c.applicationId)) problems.push(`application ${c.applicationId} appears more than once`);
      seen.add(c.applicationId);
    }
    const versionIds = all.flatMap((c) => (c.versionId ? [c.versionId] : []));
    const versions = await this.repo.versionsById(vendorId, versionIds);
    for (const c of all) {
      if (!c.versionId) continue;
      const v = versions.get(c.versionId);
      if (!v) problems.push(`version ${c.versionId} does not exist`);
      else if (v.applicationId !== c.applicationId) problems.push(`version ${c.versionId} is not a version of application ${c.applicationId}`);
    }
    if (problems.length > 0) throw new AppError('VALIDATION_FAILED', `Invalid stages: ${problems.join('; ')}`);
    await this.refuseArchived(vendorId, stages, pinnedBefore, versions);
    return stages.map((stage) => stage.map((c) => ({ applicationId: c.applicationId, versionId: c.versionId ?? null, instructions: c.instructions ?? null })));
  }

  /** 409 when the stages newly pin an archived version (pins already in `pinnedBefore` stay allowed). */
  private async refuseArchived(
    vendorId: string,
    stages: { versionId?: string | null | undefined }[][],
    pinnedBefore: StoredComponent[][],
    known?: Awaited<ReturnType<ReleaseRepository['versionsById']>>,
  ): Promise<void> {
    const kept = new Set(pinnedBefore.flat().flatMap((c) => (c.versionId ? [c.versionId] : [])));
    const ids = [...new Set(stages.flat().flatMap((c) => (c.versionId && !kept.has(c.versionId) ? [c.versionId] : [])))];
    const versions = known ?? (await this.repo.versionsById(vendorId, ids));
    const archived = ids.flatMap((id) => {
      const v = versions.get(id);
      return v?.archived ? [`version ${v.version} of "${v.applicationName}"`] : [];
    });
    if (archived.length === 0) return;
    const one = archived.length === 1;
    throw new AppError('CONFLICT', `${archived.join(', ')} ${one ? 'is' : 'are'} archived: restore ${one ? 'it' : 'them'} or pin another version`);
  }

  private async ownApplications(vendorId: string, ids: string[]): Promise<string[]> {
    const unique = [...new Set(ids)];
    const found = new Set(await this.repo.applicationsOfVendor(vendorId, unique));
    const missing = unique.filter((id) => !found.has(id));
    if (missing.length > 0) throw new AppError('VALIDATION_FAILED', `applicationIds: no application ${missing.join(', ')}`);
    return unique;
  }
}

function validVersion(v: string): string {
  const clean = semver.valid(v);
  if (!clean) throw new AppError('VALIDATION_FAILED', `version: "${v}" is not a semantic version (e.g. 1.4.0 or 2.0.0-rc.1)`);
  return clean;
}

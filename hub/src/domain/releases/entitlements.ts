import semver from 'semver';
import type { CreateEntitlementBody, Entitlement, UpdateEntitlementBody } from '@flotilla/protocol';
import { AppError } from '../../errors.js';
import type { Database } from '../../infra/index.js';
import type { Scope } from '../access/roles.js';
import { conflictOnDuplicate, isUuid } from '../shared/db-errors.js';

interface EntitlementRow {
  id: string;
  vendor_id: string;
  customer_id: string;
  track_id: string;
  version_range: string | null;
  expires_at: Date | null;
  created_at: Date;
}

const toEntitlement = (r: EntitlementRow): Entitlement => ({
  id: r.id,
  vendorId: r.vendor_id,
  customerId: r.customer_id,
  trackId: r.track_id,
  versionRange: r.version_range,
  expiresAt: r.expires_at?.toISOString() ?? null,
  createdAt: r.created_at.toISOString(),
});

/** Pure: does this entitlement let its customer see and install `version` at `now`? */
export function entitles(e: Pick<Entitlement, 'versionRange' | 'expiresAt'>, version: string, now: Date): boolean {
  if (e.expiresAt !== null && Date.parse(e.expiresAt) <= now.getTime()) return false;
  return e.versionRange === null || semver.satisfies(version, e.versionRange, { includePrerelease: true });
}

/** Which tracks (and versions, until when) each customer may see and install. */
export class EntitlementService {
  constructor(private readonly db: Database) {}

  async list(scope: Scope, customerId?: string): Promise<Entitlement[]> {
    const q = this.db('entitlements').where({ vendor_id: scope.vendorId }).orderBy('created_at');
    const customer = scope.customerId ?? customerId;
    if (customer) q.where({ customer_id: customer });
    return ((await q) as EntitlementRow[]).map(toEntitlement);
  }

  /** The customer's entitlement to a track, expired or not (undefined: none). */
  async forTrack(vendorId: string, customerId: string, trackId: string): Promise<Entitlement | undefined> {
    const row: EntitlementRow | undefined = await this.db('entitlements').where({ vendor_id: vendorId, customer_id: customerId, track_id: trackId }).first();
    return row && toEntitlement(row);
  }

  /** Track ids the customer may currently see. */
  async entitledTrackIds(vendorId: string, customerId: string, now = new Date()): Promise<Set<string>> {
    const rows: EntitlementRow[] = await this.db('entitlements')
      .where({ vendor_id: vendorId, customer_id: customerId })
      .where((q) => q.whereNull('expires_at').orWhere('expires_at', '>', now));
    return new Set(rows.map((r) => r.track_id));
  }

  async create(vendorId: string, body: CreateEntitlementBody): Promise<Entitlement> {
    const range = checkRange(body.versionRange ?? null);
    const [customer, track] = await Promise.all([
      this.db('customers').where({ vendor_id: vendorId, id: body.customerId }).first('id'),
      this.db('tracks').where({ vendor_id: vendorId, id: body.trackId }).first('id'),
    ]);
    if (!customer) throw new AppError('VALIDATION_FAILED', `customerId: no customer ${body.customerId}`);
    if (!track) throw new AppError('VALIDATION_FAILED', `trackId: no track ${body.trackId}`);
    const [row] = await conflictOnDuplicate(
      () => this.db('entitlements').insert({ vendor_id: vendorId, customer_id: body.customerId, track_id: body.trackId, version_range: range, expires_at: body.expiresAt ?? null }).returning('*'),
      'The customer is already entitled to this track; change that entitlement instead',
    );
    return toEntitlement(row as EntitlementRow);
  }

  async update(vendorId: string, id: string, body: UpdateEntitlementBody): Promise<Entitlement> {
    const patch: Record<string, unknown> = {};
    if (body.versionRange !== undefined) patch.version_range = checkRange(body.versionRange);
    if (body.expiresAt !== undefined) patch.expires_at = body.expiresAt;
    const [row] = isUuid(id) ? await this.db('entitlements').where({ vendor_id: vendorId, id }).update(patch).returning('*') : [];
    if (!row) throw AppError.notFound('Entitlement');
    return toEntitlement(row as EntitlementRow);
  }

  async delete(vendorId: string, id: string): Promise<void> {
    if (!isUuid(id) || (await this.db('entitlements').where({ vendor_id: vendorId, id }).delete()) === 0) throw AppError.notFound('Entitlement');
  }
}

function checkRange(range: string | null): string | null {
  if (range === null) return null;
  if (semver.validRange(range) === null) throw new AppError('VALIDATION_FAILED', `versionRange: "${range}" is not a semver range (e.g. ">=1.0.0 <2.0.0" or "^1.4")`);
  return range;
}

import type { License, LicenseEntitlement, LicenseExpiryPolicy, LicenseStatus } from '@flotilla/protocol';
import type { Database } from '../../infra/index.js';
import type { StoredKeyPair } from './license-signing.js';

export interface LicenseRow {
  id: string;
  vendor_id: string;
  customer_id: string;
  status: LicenseStatus;
  replaced_by: string | null;
  on_expiry: LicenseExpiryPolicy;
  expires_at: Date | null;
  max_installations: number | null;
  custom_fields: Record<string, string | number | boolean>;
  entitlements: LicenseEntitlement[];
  token: string;
  issued_at: Date;
  revoked_at: Date | null;
}

export type NewLicenseRow = Omit<LicenseRow, 'status' | 'replaced_by' | 'revoked_at'>;

export function toLicense(r: LicenseRow, now: Date): License {
  return {
    id: r.id,
    vendorId: r.vendor_id,
    customerId: r.customer_id,
    status: r.status,
    replacedBy: r.replaced_by,
    issuedAt: r.issued_at.toISOString(),
    expiresAt: r.expires_at?.toISOString() ?? null,
    expired: r.expires_at !== null && r.expires_at.getTime() <= now.getTime(),
    revokedAt: r.revoked_at?.toISOString() ?? null,
    onExpiry: r.on_expiry,
    maxInstallations: r.max_installations,
    customFields: r.custom_fields,
    entitlements: r.entitlements,
    license: r.token,
  };
}

/** Licenses, signing keys, and what a license is made of (names, entitlements, agents to tell). */
export class LicenseRepository {
  constructor(private readonly db: Database) {}

  async list(vendorId: string, filter: { customerId?: string; status?: LicenseStatus }): Promise<LicenseRow[]> {
    const q = this.db('licenses').where({ vendor_id: vendorId }).orderBy('issued_at', 'desc').limit(1000);
    if (filter.customerId) q.where({ customer_id: filter.customerId });
    if (filter.status) q.where({ status: filter.status });
    return q;
  }

  async get(vendorId: string, id: string): Promise<LicenseRow | undefined> {
    return this.db('licenses').where({ vendor_id: vendorId, id }).first();
  }

  /** Inserts a license; with `replaces`, marks that active one replaced in the same transaction (false: it was not active any more). */
  async insert(row: NewLicenseRow, replaces?: string): Promise<LicenseRow | undefined> {
    return this.db.transaction(async (trx) => {
      if (replaces) {
        const n = await trx('licenses').where({ id: replaces, vendor_id: row.vendor_id, status: 'active' }).update({ status: 'replaced', replaced_by: row.id });
        if (n === 0) return undefined;
      }
      const [inserted] = await trx('licenses')
        .insert({ ...row, custom_fields: JSON.stringify(row.custom_fields), entitlements: JSON.stringify(row.entitlements) })
        .returning('*');
      return inserted as LicenseRow;
    });
  }

  async revoke(vendorId: string, id: string, at: Date): Promise<LicenseRow | undefined> {
    const [row] = await this.db('licenses').where({ vendor_id: vendorId, id, status: 'active' }).update({ status: 'revoked', revoked_at: at }).returning('*');
    return row as LicenseRow | undefined;
  }

  /** The active license of each customer that has one (customerId → row). */
  async activeOf(customerIds: readonly string[]): Promise<Map<string, LicenseRow>> {
    if (customerIds.length === 0) return new Map();
    const rows: LicenseRow[] = await this.db('licenses').whereIn('customer_id', [...new Set(customerIds)]).where({ status: 'active' });
    return new Map(rows.map((r) => [r.customer_id, r]));
  }

  async names(vendorId: string, customerId: string): Promise<{ vendor: string; customer: string } | undefined> {
    return this.db('customers as c').join('vendors as v', 'v.id', 'c.vendor_id').where({ 'c.id': customerId, 'c.vendor_id': vendorId }).first('v.name as vendor', 'c.name as customer');
  }

  /** The customer's entitlements now, as the license records them. */
  async entitlements(vendorId: string, customerId: string): Promise<LicenseEntitlement[]> {
    const rows: { track_id: string; track: string; version_range: string | null; expires_at: Date | null }[] = await this.db('entitlements as e')
      .join('tracks as t', 't.id', 'e.track_id')
      .where({ 'e.vendor_id': vendorId, 'e.customer_id': customerId })
      .orderBy('t.name')
      .select('e.track_id', 't.name as track', 'e.version_range', 'e.expires_at');
    return rows.map((r) => ({ trackId: r.track_id, track: r.track, versionRange: r.version_range, expiresAt: r.expires_at?.toISOString() ?? null }));
  }

  /** Agents of the customer's installations (to hand them the license). */
  async agentIds(vendorId: string, customerId: string): Promise<string[]> {
    const rows: { id: string }[] = await this.db('agents as a').join('installations as i', 'i.id', 'a.installation_id').where({ 'i.vendor_id': vendorId, 'i.customer_id': customerId }).select('a.id');
    return rows.map((r) => r.id);
  }

  async keys(vendorId: string): Promise<StoredKeyPair | undefined> {
    const row: { public_key: string; private_key: string; encrypted: boolean } | undefined = await this.db('license_keys').where({ vendor_id: vendorId }).first();
    return row && { publicKey: row.public_key, privateKey: row.private_key, encrypted: row.encrypted };
  }

  /** Stores the vendor's key pair unless another request stored one first; returns the one that is stored. */
  async saveKeys(vendorId: string, keys: StoredKeyPair): Promise<StoredKeyPair> {
    await this.db('license_keys').insert({ vendor_id: vendorId, public_key: keys.publicKey, private_key: keys.privateKey, encrypted: keys.encrypted }).onConflict('vendor_id').ignore();
    return (await this.keys(vendorId)) ?? keys;
  }

  async vendorExists(vendorId: string): Promise<boolean> {
    return (await this.db('vendors').where({ id: vendorId }).first('id')) !== undefined;
  }
}

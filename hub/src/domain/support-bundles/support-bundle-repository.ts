import type { BundleManifest, SupportBundle, SupportBundleDetail, SupportBundleStatus } from '@flotilla/protocol';
import type { Database } from '../../infra/index.js';
import type { Scope } from '../access/roles.js';

export interface SupportBundleRow {
  id: string;
  vendor_id: string;
  customer_id: string;
  installation_id: string;
  status: SupportBundleStatus;
  message: string | null;
  log_lines: number;
  bytes: string | number;
  chunks: number;
  sha256: string | null;
  manifest: BundleManifest | null;
  requested_by: string | null;
  requested_by_email: string | null;
  requested_by_customer: boolean;
  decided_by: string | null;
  decided_by_email: string | null;
  decided_at: Date | null;
  created_at: Date;
  activity_at: Date;
  completed_at: Date | null;
}

export function toSupportBundle(r: SupportBundleRow, retentionMs: number): SupportBundle {
  return {
    id: r.id,
    installationId: r.installation_id,
    customerId: r.customer_id,
    status: r.status,
    message: r.message,
    logLines: r.log_lines,
    bytes: Number(r.bytes),
    sha256: r.sha256,
    requestedBy: { userId: r.requested_by, email: r.requested_by_email, customer: r.requested_by_customer },
    decidedBy: r.decided_at === null ? null : { userId: r.decided_by, email: r.decided_by_email },
    decidedAt: r.decided_at?.toISOString() ?? null,
    createdAt: r.created_at.toISOString(),
    completedAt: r.completed_at?.toISOString() ?? null,
    expiresAt: new Date(r.created_at.getTime() + retentionMs).toISOString(),
  };
}

export function toSupportBundleDetail(r: SupportBundleRow, retentionMs: number): SupportBundleDetail {
  return { ...toSupportBundle(r, retentionMs), manifest: r.manifest };
}

export interface NewBundle {
  vendorId: string;
  customerId: string;
  installationId: string;
  status: 'awaiting-approval' | 'collecting';
  logLines: number;
  requestedBy: string;
  requestedByCustomer: boolean;
}

/** Why a chunk was not stored. */
export type ChunkRefusal = 'gone' | 'duplicate' | 'out-of-order' | 'too-large';

/** Chunks read per query while streaming an archive out (each at most BUNDLE_CHUNK_BYTES). */
const READ_BATCH = 16;

/** Support bundles and their archives (chunks, in order) in PostgreSQL. */
export class SupportBundleRepository {
  constructor(private readonly db: Database) {}

  async create(input: NewBundle): Promise<SupportBundleRow> {
    const [row] = await this.db('support_bundles')
      .insert({
        vendor_id: input.vendorId,
        customer_id: input.customerId,
        installation_id: input.installationId,
        status: input.status,
        message: input.status === 'awaiting-approval' ? "Waiting for the customer's approval" : null,
        log_lines: input.logLines,
        requested_by: input.requestedBy,
        requested_by_email: this.db('users').where({ id: input.requestedBy }).select('email'),
        requested_by_customer: input.requestedByCustomer,
      })
      .returning('*');
    return row as SupportBundleRow;
  }

  /** A bundle the scope may see (customers: their own), or undefined. */
  async get(scope: Scope, id: string): Promise<SupportBundleRow | undefined> {
    const q = this.db<SupportBundleRow>('support_bundles').where({ id, vendor_id: scope.vendorId });
    if (scope.customerId !== null) void q.where({ customer_id: scope.customerId });
    return q.first();
  }

  /** The installation's bundles, newest first (retention keeps the list short). */
  list(vendorId: string, installationId: string, limit = 200): Promise<SupportBundleRow[]> {
    return this.db<SupportBundleRow>('support_bundles').where({ vendor_id: vendorId, installation_id: installationId }).orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(limit);
  }

  /** Moves a bundle out of `awaiting-approval` (approved → collecting, or rejected); undefined when it was not waiting. */
  async decide(scope: Scope, id: string, to: 'collecting' | 'rejected', userId: string, message: string | null): Promise<SupportBundleRow | undefined> {
    const q = this.db('support_bundles').where({ id, vendor_id: scope.vendorId, status: 'awaiting-approval' });
    if (scope.customerId !== null) void q.where({ customer_id: scope.customerId });
    const [row] = await q
      .update({
        status: to,
        message,
        decided_by: userId,
        decided_by_email: this.db('users').where({ id: userId }).select('email'),
        decided_at: this.db.fn.now(),
        activity_at: this.db.fn.now(),
        ...(to === 'rejected' ? { completed_at: this.db.fn.now() } : {}),
      })
      .returning('*');
    return row as SupportBundleRow | undefined;
  }

  /** Fails a bundle still collecting (its partial archive is dropped); undefined when it was not collecting. */
  async fail(id: string, message: string, installationId?: string): Promise<SupportBundleRow | undefined> {
    return this.db.transaction(async (trx) => {
      const q = trx('support_bundles').where({ id, status: 'collecting' });
      if (installationId !== undefined) void q.where({ installation_id: installationId });
      const [row] = await q.update({ status: 'failed', message, completed_at: trx.fn.now() }).returning('*');
      if (row) await trx('support_bundle_chunks').where({ bundle_id: id }).delete();
      return row as SupportBundleRow | undefined;
    });
  }

  /** The bundles the agents of these installations are collecting now (one statement for a batch of disconnects). */
  collectingOf(installationIds: readonly string[]): Promise<SupportBundleRow[]> {
    return this.db<SupportBundleRow>('support_bundles').whereIn('installation_id', installationIds).where({ status: 'collecting' });
  }

  /** Collecting bundles whose agent sent nothing since `before`. */
  silentSince(before: Date): Promise<SupportBundleRow[]> {
    return this.db<SupportBundleRow>('support_bundles').where({ status: 'collecting' }).where('activity_at', '<', before);
  }

  /**
   * Stores chunk `seq` of a collecting bundle of this installation, in order, within `maxBytes`.
   * The bundle row is updated first (its row lock orders concurrent chunks of one bundle).
   */
  async appendChunk(installationId: string, bundleId: string, seq: number, data: Buffer, maxBytes: number): Promise<{ stored: true; bytes: number } | { stored: false; why: ChunkRefusal }> {
    return this.db.transaction(async (trx) => {
      const [row] = await trx('support_bundles')
        .where({ id: bundleId, installation_id: installationId, status: 'collecting', chunks: seq })
        .where('bytes', '<=', maxBytes - data.length)
        .update({ bytes: trx.raw('bytes + ?', [data.length]), chunks: trx.raw('chunks + 1'), activity_at: trx.fn.now() })
        .returning(['bytes']);
      if (row) {
        await trx('support_bundle_chunks').insert({ bundle_id: bundleId, seq, data });
        return { stored: true as const, bytes: Number((row as { bytes: string }).bytes) };
      }
      const current = await trx<SupportBundleRow>('support_bundles').where({ id: bundleId, installation_id: installationId }).first();
      if (!current || current.status !== 'collecting') return { stored: false as const, why: 'gone' as const };
      if (seq < current.chunks) return { stored: false as const, why: 'duplicate' as const };
      if (seq > current.chunks) return { stored: false as const, why: 'out-of-order' as const };
      return { stored: false as const, why: 'too-large' as const };
    });
  }

  /** Marks a collecting bundle ready with its digest and manifest. */
  async complete(installationId: string, bundleId: string, sha256: string, manifest: BundleManifest): Promise<SupportBundleRow | undefined> {
    const [row] = await this.db('support_bundles')
      .where({ id: bundleId, installation_id: installationId, status: 'collecting' })
      .update({ status: 'ready', message: null, sha256, manifest: JSON.stringify(manifest), completed_at: this.db.fn.now(), activity_at: this.db.fn.now() })
      .returning('*');
    return row as SupportBundleRow | undefined;
  }

  /** The archive's chunks in order, a few at a time (a large archive is never held whole). */
  async *chunks(bundleId: string): AsyncGenerator<Buffer> {
    for (let from = 0; ; from += READ_BATCH) {
      const rows = (await this.db('support_bundle_chunks').where({ bundle_id: bundleId }).where('seq', '>=', from).where('seq', '<', from + READ_BATCH).orderBy('seq').select('seq', 'data')) as { seq: number; data: Buffer }[];
      for (const r of rows) yield r.data;
      if (rows.length < READ_BATCH) return;
    }
  }

  /** Deletes bundles asked for before `before` (their chunks go with them); answers how many. */
  async deleteOlderThan(before: Date): Promise<number> {
    return this.db('support_bundles').where('created_at', '<', before).delete();
  }

  async policy(vendorId: string, customerId: string): Promise<boolean | undefined> {
    const row = (await this.db('customers').where({ vendor_id: vendorId, id: customerId }).select('support_bundle_approval').first()) as { support_bundle_approval: boolean } | undefined;
    return row?.support_bundle_approval;
  }

  async setPolicy(vendorId: string, customerId: string, requireApproval: boolean): Promise<boolean> {
    return (await this.db('customers').where({ vendor_id: vendorId, id: customerId }).update({ support_bundle_approval: requireApproval })) > 0;
  }
}

import type { AuditPage, AuditQuery } from '@flotilla/protocol';
import type { Database } from '../../infra/index.js';
import { auditTargetName } from './audit-names.js';
import type { AuditTargetType } from './audit-target.js';

export interface AuditEntry {
  vendorId: string;
  customerId: string | null;
  actorUserId: string | null;
  actorTokenId: string | null;
  actorEmail: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  /** The target's name when the entry is written (see audit-names.ts). */
  targetName?: string | null;
  ip: string | null;
  details?: Record<string, unknown>;
}


/** The audit log: who did what, in which organisation, to what, when, from where. Append-only. */
export class AuditService {
  constructor(private readonly db: Database) {}

  async record(e: AuditEntry): Promise<void> {
    await this.db('audit_log').insert({
      vendor_id: e.vendorId,
      customer_id: e.customerId,
      actor_user_id: e.actorUserId,
      actor_token_id: e.actorTokenId,
      actor_email: e.actorEmail,
      action: e.action,
      target_type: e.targetType,
      target_id: e.targetId,
      target_name: e.targetName ?? null,
      ip: e.ip,
      details: e.details ? JSON.stringify(e.details) : null,
    });
  }

  /** The target's current name, to write with its entry (null when it has none or is gone). */
  targetName(vendorId: string, type: AuditTargetType | null, id: string | null): Promise<string | null> {
    return auditTargetName(this.db, vendorId, type, id);
  }

  async list(vendorId: string, q: AuditQuery): Promise<AuditPage> {
    const query = this.db('audit_log').where({ vendor_id: vendorId }).orderBy('id', 'desc').limit(q.limit + 1);
    if (q.action) query.where((w) => w.where('action', q.action).orWhere('action', 'like', `${q.action}.%`));
    if (q.actorUserId) query.where('actor_user_id', q.actorUserId);
    if (q.targetId) query.where('target_id', q.targetId);
    if (q.customerId) query.where('customer_id', q.customerId);
    if (q.from) query.where('at', '>=', q.from);
    if (q.to) query.where('at', '<', q.to);
    if (q.before) query.where('id', '<', q.before);
    const rows: {
      id: number; at: Date; action: string; actor_user_id: string | null; actor_token_id: string | null; actor_email: string | null;
      vendor_id: string; customer_id: string | null; target_type: string | null; target_id: string | null; target_name: string | null; ip: string | null; details: Record<string, unknown> | null;
    }[] = await query;
    const page = rows.slice(0, q.limit);
    return {
      items: page.map((r) => ({
        id: String(r.id),
        at: r.at.toISOString(),
        action: r.action,
        actor: { userId: r.actor_user_id, tokenId: r.actor_token_id, email: r.actor_email },
        vendorId: r.vendor_id,
        customerId: r.customer_id,
        target: { type: r.target_type, id: r.target_id, name: r.target_name },
        ip: r.ip,
        details: r.details,
      })),
      nextBefore: rows.length > q.limit ? String(page.at(-1)?.id) : null,
    };
  }
}

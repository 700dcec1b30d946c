import type { Knex } from 'knex';
import type { Webhook, WebhookDelivery, WebhookDeliveryPage, WebhookDeliveriesQuery } from '@flotilla/protocol';
import type { Database } from '../../infra/index.js';
import type { SecretBox } from '../../infra/secret-box.js';

/** Who owns endpoints: a vendor (customerId null) or one of its customer organisations. */
export interface Owner {
  vendorId: string;
  customerId: string | null;
}

export interface EndpointRow {
  id: string;
  vendor_id: string;
  customer_id: string | null;
  url: string;
  description: string;
  events: string[];
  enabled: boolean;
  disabled_reason: string | null;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: Date | null;
  failing_since: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface DeliveryRow {
  id: string;
  endpoint_id: string;
  message_id: string;
  event_type: string;
  payload: Record<string, unknown>;
  status: WebhookDelivery['status'];
  attempts: number;
  response_status: number | null;
  response_excerpt: string | null;
  error: string | null;
  duration_ms: number | null;
  next_attempt_at: Date | null;
  last_attempt_at: Date | null;
  created_at: Date;
}

export interface NewDelivery {
  endpointId: string;
  messageId: string;
  eventType: string;
  payload: unknown;
}

export function toWebhook(r: EndpointRow): Webhook {
  return {
    id: r.id,
    customerId: r.customer_id,
    url: r.url,
    description: r.description,
    events: r.events as Webhook['events'],
    enabled: r.enabled,
    disabledReason: r.disabled_reason,
    previousSecretExpiresAt: r.previous_secret && r.previous_secret_expires_at && r.previous_secret_expires_at > new Date() ? r.previous_secret_expires_at.toISOString() : null,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

export function toDelivery(r: DeliveryRow): WebhookDelivery {
  return {
    id: String(r.id),
    webhookId: r.endpoint_id,
    messageId: r.message_id,
    eventType: r.event_type,
    status: r.status,
    attempts: r.attempts,
    responseStatus: r.response_status,
    responseExcerpt: r.response_excerpt,
    error: r.error,
    durationMs: r.duration_ms,
    nextAttemptAt: r.next_attempt_at?.toISOString() ?? null,
    createdAt: r.created_at.toISOString(),
    lastAttemptAt: r.last_attempt_at?.toISOString() ?? null,
    payload: r.payload,
  };
}

/**
 * Signing secrets are sealed on the way in and opened on the way out (SECRETS_KEY), so the rest of the
 * code only ever sees them plain and the database only ever holds them sealed.
 */
export class WebhookRepository {
  constructor(
    private readonly db: Database,
    private readonly box: SecretBox,
  ) {}

  private opened(row: EndpointRow): EndpointRow;
  private opened(row: EndpointRow | undefined): EndpointRow | undefined;
  private opened(row: EndpointRow | undefined): EndpointRow | undefined {
    if (!row) return row;
    return { ...row, secret: this.box.open(row.secret), previous_secret: row.previous_secret === null ? null : this.box.open(row.previous_secret) };
  }

  private sealed(patch: Record<string, unknown>): Record<string, unknown> {
    const out = { ...patch };
    for (const field of ['secret', 'previous_secret'] as const) if (typeof out[field] === 'string') out[field] = this.box.seal(out[field]);
    return out;
  }

  /** Seals secrets stored before a key was configured (idempotent; safe with several hubs). Returns how many. */
  async sealPlaintextSecrets(): Promise<number> {
    if (!this.box.encrypting) return 0;
    let sealed = 0;
    const rows = (await this.db('webhook_endpoints').select('id', 'secret', 'previous_secret')) as Pick<EndpointRow, 'id' | 'secret' | 'previous_secret'>[];
    for (const r of rows) {
      const patch: Record<string, string> = {};
      if (this.box.needsSealing(r.secret)) patch.secret = r.secret;
      if (r.previous_secret !== null && this.box.needsSealing(r.previous_secret)) patch.previous_secret = r.previous_secret;
      if (Object.keys(patch).length === 0) continue;
      // Only if unchanged since read: a concurrent rotation wins.
      sealed += await this.db('webhook_endpoints').where({ id: r.id, secret: r.secret }).update(this.sealed(patch));
    }
    return sealed;
  }

  private owned(owner: Owner) {
    const q = this.db('webhook_endpoints').where({ vendor_id: owner.vendorId });
    return owner.customerId === null ? q.whereNull('customer_id') : q.where({ customer_id: owner.customerId });
  }

  async list(owner: Owner): Promise<EndpointRow[]> {
    return ((await this.owned(owner).orderBy([{ column: 'created_at' }, { column: 'id' }])) as EndpointRow[]).map((r) => this.opened(r));
  }

  async get(owner: Owner, id: string): Promise<EndpointRow | undefined> {
    return this.opened((await this.owned(owner).where({ id }).first()) as EndpointRow | undefined);
  }

  async create(owner: Owner, e: { url: string; description: string; events: string[]; enabled: boolean; secret: string }): Promise<EndpointRow> {
    const [row] = (await this.db('webhook_endpoints')
      .insert({ vendor_id: owner.vendorId, customer_id: owner.customerId, url: e.url, description: e.description, events: e.events, enabled: e.enabled, secret: this.box.seal(e.secret) })
      .returning('*')) as EndpointRow[];
    if (!row) throw new Error('insert returned no row');
    return this.opened(row);
  }

  async update(owner: Owner, id: string, patch: Record<string, unknown>): Promise<EndpointRow | undefined> {
    const [row] = (await this.owned(owner).where({ id }).update({ ...this.sealed(patch), updated_at: this.db.fn.now() }).returning('*')) as EndpointRow[];
    return this.opened(row);
  }

  async delete(owner: Owner, id: string): Promise<boolean> {
    return (await this.owned(owner).where({ id }).delete()) > 0;
  }

  /** Enabled endpoints of these vendors (their own and their customers'), for the fan-out. */
  async enabledOf(vendorIds: readonly string[], trx?: Knex.Transaction): Promise<EndpointRow[]> {
    if (vendorIds.length === 0) return [];
    const rows = (await (trx ?? this.db)('webhook_endpoints').whereIn('vendor_id', [...new Set(vendorIds)]).where({ enabled: true })) as EndpointRow[];
    return rows.map((r) => this.opened(r));
  }

  async endpointById(id: string): Promise<EndpointRow | undefined> {
    return this.opened((await this.db('webhook_endpoints').where({ id }).first()) as EndpointRow | undefined);
  }

  /** The ids of the deliveries written; one whose (endpoint, message) exists already is skipped (an event read twice). */
  async insertDeliveries(deliveries: readonly NewDelivery[], trx?: Knex.Transaction): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < deliveries.length; i += 2000) {
      const rows = (await (trx ?? this.db)('webhook_deliveries')
        .insert(deliveries.slice(i, i + 2000).map((d) => ({ endpoint_id: d.endpointId, message_id: d.messageId, event_type: d.eventType, payload: JSON.stringify(d.payload) })))
        .onConflict(['endpoint_id', 'message_id'])
        .ignore()
        .returning('id')) as { id: string }[];
      ids.push(...rows.map((r) => String(r.id)));
    }
    return ids;
  }

  /** Deliveries never attempted and older than `olderThanMs` (their job was lost), oldest first. */
  async strandedDeliveries(olderThanMs: number, limit: number): Promise<string[]> {
    const rows = (await this.db('webhook_deliveries')
      .where({ status: 'pending', attempts: 0 })
      .where('created_at', '<', this.db.raw(`now() - make_interval(secs => ?)`, [olderThanMs / 1000]))
      .orderBy('id')
      .limit(limit)
      .select('id')) as { id: string }[];
    return rows.map((r) => String(r.id));
  }

  /** Deletes finished deliveries written before `cutoff`, in batches (a big log never holds one long lock). */
  async purgeFinishedDeliveries(cutoff: Date, batch = 5000): Promise<number> {
    let purged = 0;
    for (;;) {
      const n = await this.db('webhook_deliveries')
        .whereIn('id', this.db('webhook_deliveries').where('created_at', '<', cutoff).whereIn('status', ['succeeded', 'failed', 'cancelled']).select('id').limit(batch))
        .delete();
      purged += n;
      if (n < batch) return purged;
    }
  }

  async delivery(id: string): Promise<DeliveryRow | undefined> {
    return this.db('webhook_deliveries').where({ id }).first();
  }

  async deliveryOf(endpointId: string, id: string): Promise<DeliveryRow | undefined> {
    return this.db('webhook_deliveries').where({ id, endpoint_id: endpointId }).first();
  }

  async listDeliveries(endpointId: string, q: WebhookDeliveriesQuery): Promise<WebhookDeliveryPage> {
    const query = this.db('webhook_deliveries').where({ endpoint_id: endpointId }).orderBy('id', 'desc').limit(q.limit + 1);
    if (q.before !== undefined) query.where('id', '<', q.before);
    const rows: DeliveryRow[] = await query;
    const page = rows.slice(0, q.limit);
    return { items: page.map(toDelivery), nextBefore: rows.length > q.limit ? String(page.at(-1)?.id) : null };
  }

  async updateDelivery(id: string, patch: Record<string, unknown>): Promise<DeliveryRow | undefined> {
    const [row] = (await this.db('webhook_deliveries').where({ id }).update(patch).returning('*')) as DeliveryRow[];
    return row;
  }

  /** Records the outcome of an attempt on the endpoint: a success ends a failing streak; a failure starts one. */
  async markEndpoint(id: string, ok: boolean): Promise<EndpointRow | undefined> {
    const [row] = (await this.db('webhook_endpoints')
      .where({ id })
      .update({ failing_since: ok ? null : this.db.raw('COALESCE(failing_since, now())') })
      .returning('*')) as EndpointRow[];
    return this.opened(row);
  }

  /** Turns an endpoint off because it kept failing; false when it was already off. */
  async autoDisable(id: string, reason: string): Promise<boolean> {
    return (await this.db('webhook_endpoints').where({ id, enabled: true }).update({ enabled: false, disabled_reason: reason, updated_at: this.db.fn.now() })) > 0;
  }

  /** E-mail addresses of the owner's admins (they are told when an endpoint is disabled). */
  async adminEmails(owner: Owner): Promise<string[]> {
    const q = this.db('memberships as m').join('users as u', 'u.id', 'm.user_id').where({ 'm.vendor_id': owner.vendorId, 'm.role': 'admin' });
    if (owner.customerId === null) q.whereNull('m.customer_id');
    else q.where('m.customer_id', owner.customerId);
    return (await q.select('u.email')).map((r: { email: string }) => r.email);
  }
}

import type { Database } from '../../infra/index.js';

export interface TokenRow {
  id: string;
  user_id: string;
  vendor_id: string;
  customer_id: string | null;
  role: string;
  name: string;
  prefix: string;
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

export class TokenRepository {
  constructor(private readonly db: Database) {}

  async create(t: { userId: string; vendorId: string; customerId: string | null; role: string; name: string; tokenHash: string; prefix: string; expiresAt: Date | null }): Promise<TokenRow> {
    const [row] = await this.db('api_tokens')
      .insert({ user_id: t.userId, vendor_id: t.vendorId, customer_id: t.customerId, role: t.role, name: t.name, token_hash: t.tokenHash, prefix: t.prefix, expires_at: t.expiresAt })
      .returning('*');
    return row as TokenRow;
  }

  listForUser(userId: string): Promise<TokenRow[]> {
    return this.db<TokenRow>('api_tokens').where({ user_id: userId }).whereNull('revoked_at').orderBy('created_at', 'desc');
  }

  /** Revokes one of the user's own tokens; false when it is not theirs or already revoked. */
  async revoke(userId: string, id: string): Promise<boolean> {
    return (await this.db('api_tokens').where({ user_id: userId, id }).whereNull('revoked_at').update({ revoked_at: this.db.fn.now() })) > 0;
  }

  /** A usable token: not revoked, not expired. */
  async findActive(tokenHash: string): Promise<TokenRow | undefined> {
    return this.db('api_tokens')
      .where({ token_hash: tokenHash })
      .whereNull('revoked_at')
      .where((q) => q.whereNull('expires_at').orWhere('expires_at', '>', this.db.fn.now()))
      .first();
  }

  /** Records use at most once a minute per token (a write per request would be wasteful). */
  async touch(id: string): Promise<void> {
    await this.db('api_tokens')
      .where({ id })
      .where((q) => q.whereNull('last_used_at').orWhere('last_used_at', '<', this.db.raw("now() - interval '1 minute'")))
      .update({ last_used_at: this.db.fn.now() });
  }

  /** Tokens of a user in one organisation, e.g. to revoke them when the membership ends. */
  async revokeForMembership(userId: string, vendorId: string, customerId: string | null): Promise<string[]> {
    const q = this.db('api_tokens').where({ user_id: userId, vendor_id: vendorId }).whereNull('revoked_at');
    if (customerId === null) q.whereNull('customer_id');
    else q.where({ customer_id: customerId });
    const rows: { id: string }[] = await q.update({ revoked_at: this.db.fn.now() }).returning('id');
    return rows.map((r) => r.id);
  }
}

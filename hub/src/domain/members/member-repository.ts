import type { Invite, Member } from '@flotilla/protocol';
import type { Database } from '../../infra/index.js';
import type { Scope } from '../access/roles.js';

interface InviteRow {
  id: string;
  email: string;
  role: string;
  vendor_id: string;
  customer_id: string | null;
  created_at: Date;
  expires_at: Date;
  accepted_at: Date | null;
}

export const toInvite = (r: InviteRow): Invite => ({
  id: r.id,
  email: r.email,
  role: r.role,
  vendorId: r.vendor_id,
  customerId: r.customer_id,
  createdAt: r.created_at.toISOString(),
  expiresAt: r.expires_at.toISOString(),
  acceptedAt: r.accepted_at?.toISOString() ?? null,
});

export interface MembershipRow {
  id: string;
  user_id: string;
  vendor_id: string;
  customer_id: string | null;
  role: string;
}

/** Invites and memberships of one organisation; customer scopes see only their customer. */
export class MemberRepository {
  constructor(private readonly db: Database) {}

  private inScope(q: ReturnType<Database>, scope: Scope, table: string) {
    q.where(`${table}.vendor_id`, scope.vendorId);
    if (scope.customerId !== null) q.where(`${table}.customer_id`, scope.customerId);
    return q;
  }

  async createInvite(i: { tokenHash: string; vendorId: string; customerId: string | null; email: string; role: string; invitedBy: string; expiresAt: Date }): Promise<Invite> {
    const [row] = await this.db('invites')
      .insert({ token_hash: i.tokenHash, vendor_id: i.vendorId, customer_id: i.customerId, email: i.email, role: i.role, invited_by: i.invitedBy, expires_at: i.expiresAt })
      .returning('*');
    return toInvite(row as InviteRow);
  }

  async listPendingInvites(scope: Scope): Promise<Invite[]> {
    const q = this.inScope(this.db('invites'), scope, 'invites').whereNull('accepted_at').whereNull('revoked_at').where('expires_at', '>', this.db.fn.now()).orderBy('created_at', 'desc');
    return ((await q) as InviteRow[]).map(toInvite);
  }

  async revokeInvite(scope: Scope, id: string): Promise<boolean> {
    return (await this.inScope(this.db('invites'), scope, 'invites').where({ id }).whereNull('accepted_at').whereNull('revoked_at').update({ revoked_at: this.db.fn.now() })) > 0;
  }

  /** The invite behind a token if it can still be accepted. */
  async findOpenInvite(tokenHash: string): Promise<(InviteRow & { accepted_at: null }) | undefined> {
    return this.db('invites').where({ token_hash: tokenHash }).whereNull('accepted_at').whereNull('revoked_at').where('expires_at', '>', this.db.fn.now()).first();
  }

  /** Why a token cannot be accepted, for a precise error. */
  async inviteState(tokenHash: string): Promise<'unknown' | 'accepted' | 'revoked' | 'expired' | 'open'> {
    const row: { accepted_at: Date | null; revoked_at: Date | null; expires_at: Date } | undefined = await this.db('invites').where({ token_hash: tokenHash }).first('accepted_at', 'revoked_at', 'expires_at');
    if (!row) return 'unknown';
    if (row.accepted_at) return 'accepted';
    if (row.revoked_at) return 'revoked';
    if (row.expires_at.getTime() <= Date.now()) return 'expired';
    return 'open';
  }

  /** Accepts atomically: marks the invite used (once) and adds the membership, creating the user if new. */
  async accept(inviteId: string, user: { existingUserId: string | null; email: string; name: string; passwordHash: string | null }): Promise<string | undefined> {
    return this.db.transaction(async (trx) => {
      const [invite] = (await trx('invites').where({ id: inviteId }).whereNull('accepted_at').update({ accepted_at: trx.fn.now() }).returning('*')) as InviteRow[];
      if (!invite) return undefined;
      let userId = user.existingUserId;
      if (!userId) {
        const [created] = (await trx('users').insert({ email: user.email, name: user.name, password_hash: user.passwordHash }).returning('id')) as { id: string }[];
        userId = created?.id ?? null;
      }
      if (!userId) return undefined;
      await trx.raw(
        `INSERT INTO memberships (user_id, vendor_id, customer_id, role) VALUES (?, ?, ?, ?)
         ON CONFLICT (user_id, vendor_id, COALESCE(customer_id, '00000000-0000-0000-0000-000000000000')) DO UPDATE SET role = EXCLUDED.role, updated_at = now()`,
        [userId, invite.vendor_id, invite.customer_id, invite.role],
      );
      return userId;
    });
  }

  async listMembers(scope: Scope): Promise<Member[]> {
    const rows: { user_id: string; email: string; name: string; role: string; vendor_id: string; customer_id: string | null; created_at: Date }[] = await this.inScope(
      this.db('memberships').join('users', 'users.id', 'memberships.user_id'),
      scope,
      'memberships',
    )
      .orderBy('memberships.created_at')
      .select('memberships.user_id', 'users.email', 'users.name', 'memberships.role', 'memberships.vendor_id', 'memberships.customer_id', 'memberships.created_at');
    return rows.map((r) => ({ userId: r.user_id, email: r.email, name: r.name, role: r.role, vendorId: r.vendor_id, customerId: r.customer_id, since: r.created_at.toISOString() }));
  }

  async membershipsOf(scope: Scope, userId: string): Promise<MembershipRow[]> {
    return this.inScope(this.db('memberships'), scope, 'memberships').where({ user_id: userId }).select('id', 'user_id', 'vendor_id', 'customer_id', 'role');
  }

  /**
   * Sets a membership's role, or deletes it (`role: null`), unless that leaves its organisation
   * without an admin. The organisation's admin rows are locked first (in id order), so two concurrent
   * demotions or removals of the last two admins cannot both pass the check.
   */
  async changeKeepingAdmin(m: MembershipRow, role: string | null): Promise<'ok' | 'last-admin' | 'gone'> {
    return this.db.transaction(async (trx) => {
      const q = trx('memberships').where({ vendor_id: m.vendor_id, role: 'admin' });
      if (m.customer_id === null) q.whereNull('customer_id');
      else q.where({ customer_id: m.customer_id });
      const admins: { id: string }[] = await q.orderBy('id').forUpdate().select('id');
      if (role !== 'admin' && admins.length === 1 && admins[0]?.id === m.id) return 'last-admin';
      const row = trx('memberships').where({ id: m.id });
      const changed = role === null ? await row.delete() : await row.update({ role, updated_at: trx.fn.now() });
      return changed > 0 ? 'ok' : 'gone';
    });
  }
}

import type { Membership, User, Vendor } from '@flotilla/protocol';
import type { Database } from '../../infra/index.js';

export interface UserRow {
  id: string;
  email: string;
  name: string;
  password_hash: string;
  created_at: Date;
}

export const toUser = (r: UserRow): User => ({ id: r.id, email: r.email, name: r.name, createdAt: r.created_at.toISOString() });
export const toVendor = (r: { id: string; name: string; created_at: Date }): Vendor => ({ id: r.id, name: r.name, createdAt: r.created_at.toISOString() });

export interface SessionRow {
  id: string;
  created_at: Date;
  expires_at: Date;
  ip: string | null;
  user_agent: string | null;
}

export interface SessionInfo {
  sessionId: string;
  user: UserRow;
}

export class AuthRepository {
  constructor(private readonly db: Database) {}

  /** Creates a vendor, its first user and the admin membership in one transaction. */
  async createVendorWithAdmin(input: { vendorName: string; email: string; name: string; passwordHash: string }): Promise<{ user: UserRow; vendor: Vendor }> {
    return this.db.transaction(async (trx) => {
      const [vendor] = await trx('vendors').insert({ name: input.vendorName }).returning(['id', 'name', 'created_at']);
      const [user] = await trx('users').insert({ email: input.email, name: input.name, password_hash: input.passwordHash }).returning('*');
      await trx('memberships').insert({ user_id: user.id, vendor_id: vendor.id, customer_id: null, role: 'admin' });
      return { user: user as UserRow, vendor: toVendor(vendor) };
    });
  }

  async createPendingSignup(p: { tokenHash: string; email: string; name: string; vendorName: string; passwordHash: string; expiresAt: Date }): Promise<void> {
    await this.db('pending_signups').insert({ token_hash: p.tokenHash, email: p.email, name: p.name, vendor_name: p.vendorName, password_hash: p.passwordHash, expires_at: p.expiresAt });
    // Expired ones are dropped as new ones come (index on expires_at).
    await this.db('pending_signups').where('expires_at', '<', this.db.fn.now()).delete();
  }

  /** Takes a pending sign-up by its token, once: of two concurrent confirmations only one gets it. */
  async takePendingSignup(tokenHash: string): Promise<{ email: string; name: string; vendorName: string; passwordHash: string } | undefined> {
    const [row]: { email: string; name: string; vendor_name: string; password_hash: string }[] = await this.db('pending_signups')
      .where({ token_hash: tokenHash })
      .where('expires_at', '>', this.db.fn.now())
      .delete()
      .returning(['email', 'name', 'vendor_name', 'password_hash']);
    return row && { email: row.email, name: row.name, vendorName: row.vendor_name, passwordHash: row.password_hash };
  }

  async findUserByEmail(email: string): Promise<UserRow | undefined> {
    return this.db<UserRow>('users').where({ email }).first();
  }

  /** Whether the account behind `email` signed in from `ip` in the last 30 days (one indexed read, also for unknown emails). */
  async signedInFrom(email: string, ip: string): Promise<boolean> {
    const row = await this.db('sessions as s')
      .join('users as u', 'u.id', 's.user_id')
      .where('u.email', email)
      .where('s.ip', ip)
      .where('s.created_at', '>', this.db.raw("now() - interval '30 days'"))
      .first(this.db.raw('1 AS found'));
    return row !== undefined;
  }

  async memberships(userId: string): Promise<Membership[]> {
    const rows: { vendor_id: string; vendor_name: string; customer_id: string | null; customer_name: string | null; role: string }[] = await this.db('memberships as m')
      .join('vendors as v', 'v.id', 'm.vendor_id')
      .leftJoin('customers as c', 'c.id', 'm.customer_id')
      .where('m.user_id', userId)
      .orderBy('m.created_at')
      .select('m.vendor_id', 'v.name as vendor_name', 'm.customer_id', 'c.name as customer_name', 'm.role');
    return rows.map((r) => ({ vendorId: r.vendor_id, vendorName: r.vendor_name, customerId: r.customer_id, customerName: r.customer_name, role: r.role }));
  }

  async createSession(s: { id: string; userId: string; expiresAt: Date; ip: string | undefined; userAgent: string | undefined }): Promise<void> {
    await this.db('sessions').insert({ id: s.id, user_id: s.userId, expires_at: s.expiresAt, ip: s.ip ?? null, user_agent: s.userAgent?.slice(0, 500) ?? null });
  }

  /** A live session: not revoked, not expired. */
  async findSession(id: string): Promise<SessionInfo | undefined> {
    const row: (UserRow & { session_id: string }) | undefined = await this.db('sessions as s')
      .join('users as u', 'u.id', 's.user_id')
      .where('s.id', id)
      .whereNull('s.revoked_at')
      .where('s.expires_at', '>', this.db.fn.now())
      .first('u.*', 's.id as session_id');
    if (!row) return undefined;
    const { session_id, ...user } = row;
    return { sessionId: session_id, user };
  }

  async findUserById(id: string): Promise<UserRow | undefined> {
    return this.db<UserRow>('users').where({ id }).first();
  }

  listSessions(userId: string): Promise<SessionRow[]> {
    return this.db('sessions')
      .where({ user_id: userId })
      .whereNull('revoked_at')
      .where('expires_at', '>', this.db.fn.now())
      .orderBy('created_at', 'desc')
      .select('id', 'created_at', 'expires_at', 'ip', 'user_agent');
  }

  async revokeUserSession(userId: string, id: string): Promise<boolean> {
    return (await this.db('sessions').where({ id, user_id: userId }).whereNull('revoked_at').update({ revoked_at: this.db.fn.now() })) > 0;
  }

  async revokeSession(id: string): Promise<void> {
    await this.db('sessions').where({ id }).whereNull('revoked_at').update({ revoked_at: this.db.fn.now() });
  }
}

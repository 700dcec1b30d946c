import type { AcceptInviteBody, CreateInviteBody, CreatedInvite, Invite, LoginResponse, Member, Membership, UpdateMemberBody } from '@flotilla/protocol';
import { AppError } from '../../errors.js';
import type { RateLimiterFactory } from '../../infra/index.js';
import { spend } from '../shared/limits.js';
import type { Mailer, MailMessage } from '../../infra/mailer.js';
import type { MailIdentity } from '../branding/branding-service.js';
import type { Logger } from '../../logger.js';
import { mayGrant, type Actor, type Scope } from '../access/roles.js';
import type { AuthRepository } from '../auth/auth-repository.js';
import type { AuthService, ClientMeta } from '../auth/auth-service.js';
import { hashPassword } from '../auth/password.js';
import { assertStrongPassword } from '../auth/password-policy.js';
import type { TokenRepository } from '../auth/token-repository.js';
import type { CustomerService } from '../customers/customer-service.js';
import { isUuid } from '../shared/db-errors.js';
import type { Notifier } from '../shared/notifier.js';
import { randomToken, sha256Hex } from '../shared/tokens.js';
import type { MemberRepository, MembershipRow } from './member-repository.js';

export const INVITE_TTL_DAYS = 7;

export interface MemberSettings {
  publicUrl: string;
  mailer: Mailer | undefined;
  /** How the vendor presents itself to its customers (invites of customer users carry it). */
  mailIdentity: (vendorId: string) => Promise<MailIdentity>;
}

/** Invites, members and their roles, within the caller's organisation. */
export class MemberService {
  private readonly acceptLimiter;

  constructor(
    private readonly repo: MemberRepository,
    private readonly users: AuthRepository,
    private readonly auth: AuthService,
    private readonly tokens: TokenRepository,
    private readonly customers: CustomerService,
    private readonly notifier: Notifier,
    private readonly settings: MemberSettings,
    rateLimiters: RateLimiterFactory,
    private readonly log: Logger,
  ) {
    // Attempts on invite links per address, counted before the link is looked up; an accepted invite
    // gives its point back (a team joining from one office is not refused).
    this.acceptLimiter = rateLimiters({ name: 'invite-accept-ip', points: 20, durationSeconds: 900, blockSeconds: 900 });
  }

  /**
   * A vendor admin invites vendor users or a customer's users; a customer admin invites users of
   * their own customer. Nobody grants a role above their own.
   */
  async invite(actor: Actor, body: CreateInviteBody): Promise<CreatedInvite> {
    const customerId = actor.customerId ?? body.customerId ?? null;
    if (actor.customerId !== null && body.customerId !== undefined && body.customerId !== actor.customerId) throw AppError.notFound('Customer');
    if (customerId !== null) await this.customers.get(actor, customerId);
    const granter: Membership = { vendorId: actor.vendorId, vendorName: '', customerId: actor.customerId, customerName: null, role: actor.role };
    if (!mayGrant(granter, body.role, customerId !== null)) {
      throw new AppError(customerId !== null && body.role === 'release-manager' ? 'VALIDATION_FAILED' : 'FORBIDDEN', `You may not invite a ${customerId ? 'customer' : 'vendor'} user with role ${body.role}`);
    }
    const token = randomToken();
    const expiresAt = new Date(Date.now() + (body.expiresInDays ?? INVITE_TTL_DAYS) * 86_400_000);
    const invite = await this.repo.createInvite({ tokenHash: sha256Hex(token), vendorId: actor.vendorId, customerId, email: body.email, role: body.role, invitedBy: actor.userId, expiresAt });
    const mail = await this.inviteMail(actor.vendorId, customerId, token, body.role, expiresAt);
    const inviteUrl = mail.inviteUrl;
    let mailed = false;
    if (this.settings.mailer) {
      try {
        await this.settings.mailer.send({ to: body.email, ...mail.message });
        mailed = true;
      } catch (err) {
        this.log.error({ err, inviteId: invite.id }, 'could not mail the invite; share the URL by hand');
      }
    } else {
      this.log.info({ inviteId: invite.id, email: body.email, inviteUrl }, 'invite created (no SMTP configured: share this URL)');
    }
    return { ...invite, inviteUrl, mailed };
  }

  /**
   * A customer's users are invited to the vendor's product on the vendor's domain, in its name and
   * with its footer; the vendor's own users to the hub.
   */
  private async inviteMail(vendorId: string, customerId: string | null, token: string, role: string, expiresAt: Date): Promise<{ inviteUrl: string; message: Omit<MailMessage, 'to'> }> {
    const identity = customerId ? await this.settings.mailIdentity(vendorId) : undefined;
    const product = identity?.productName ?? 'Flotilla';
    const inviteUrl = `${identity?.portalUrl ?? this.settings.publicUrl}/invite/${token}`;
    const footer = identity?.footer ? `\n--\n${identity.footer}\n` : '';
    return {
      inviteUrl,
      message: {
        subject: `You are invited to ${product}`,
        text: `You have been invited to ${product} as ${role}.\n\nAccept the invitation (valid until ${expiresAt.toUTCString()}):\n${inviteUrl}\n${footer}`,
        ...(identity?.senderName ? { fromName: identity.senderName } : {}),
      },
    };
  }

  listInvites(scope: Scope): Promise<Invite[]> {
    return this.repo.listPendingInvites(scope);
  }

  async revokeInvite(scope: Scope, id: string): Promise<void> {
    if (!isUuid(id) || !(await this.repo.revokeInvite(scope, id))) throw AppError.notFound('Invite');
  }

  /**
   * Accepting sets the new user's name and password and signs them in. An existing account (same
   * email) proves itself with its current password (a sign-in attempt, under the sign-in limits)
   * and gains the membership. Every limit is passed before the invite is used: a refused attempt
   * leaves it open.
   */
  async accept(token: string, body: AcceptInviteBody, meta: ClientMeta): Promise<LoginResponse & { sessionToken: string; vendorId: string; customerId: string | null }> {
    const ip = meta.ip ?? 'unknown';
    await spend(this.acceptLimiter, ip, 'Too many invite attempts');
    const tokenHash = sha256Hex(token);
    const invite = await this.repo.findOpenInvite(tokenHash);
    if (!invite) {
      const state = await this.repo.inviteState(tokenHash);
      if (state === 'accepted') throw new AppError('CONFLICT', 'This invite has already been used; sign in instead');
      if (state === 'expired') throw new AppError('CONFLICT', 'This invite has expired; ask for a new one');
      throw AppError.notFound('Invite');
    }
    const existing = await this.users.findUserByEmail(invite.email);
    if (existing && !(await this.auth.checkPassword(invite.email, body.password, meta))) {
      throw new AppError('UNAUTHORIZED', `An account for ${invite.email} exists: enter its current password to accept`);
    }
    if (!existing) assertStrongPassword(body.password, { email: invite.email, names: [body.name] });
    const userId = await this.repo.accept(invite.id, {
      existingUserId: existing?.id ?? null,
      email: invite.email,
      name: body.name,
      passwordHash: existing ? null : await hashPassword(body.password),
    });
    if (!userId) throw new AppError('CONFLICT', 'This invite has already been used; sign in instead');
    await this.acceptLimiter.refund(ip);
    const user = existing ?? (await this.users.findUserById(userId));
    if (!user) throw new AppError('CONFLICT', 'This account was removed while the invite was accepted');
    const login = await this.auth.signIn(user, meta);
    return { ...login, vendorId: invite.vendor_id, customerId: invite.customer_id };
  }

  listMembers(scope: Scope): Promise<Member[]> {
    return this.repo.listMembers(scope);
  }

  async updateRole(actor: Actor, userId: string, body: UpdateMemberBody): Promise<Member> {
    const m = await this.membership(actor, userId, body.customerId);
    const granter: Membership = { vendorId: actor.vendorId, vendorName: '', customerId: actor.customerId, customerName: null, role: actor.role };
    if (!mayGrant(granter, body.role, m.customer_id !== null)) throw new AppError('FORBIDDEN', `You may not grant role ${body.role} here`);
    await this.change(m, body.role);
    const members = await this.repo.listMembers({ vendorId: m.vendor_id, customerId: m.customer_id });
    const updated = members.find((x) => x.userId === userId && x.customerId === m.customer_id);
    if (!updated) throw AppError.notFound('Member');
    return updated;
  }

  /** Removing a member ends their access here at once: tokens revoked, live sockets dropped. */
  async remove(actor: Actor, userId: string, customerId?: string | null): Promise<void> {
    const m = await this.membership(actor, userId, customerId);
    await this.change(m, null);
    for (const id of await this.tokens.revokeForMembership(userId, m.vendor_id, m.customer_id)) this.notifier.disconnectLive(`token:${id}`);
    this.notifier.disconnectLive(`user:${userId}`);
  }

  /** `customerId`: undefined = the only one; null = the vendor membership; a uuid = that customer's. */
  private async membership(scope: Scope, userId: string, customerId?: string | null): Promise<MembershipRow> {
    if (!isUuid(userId)) throw AppError.notFound('Member');
    const all = await this.repo.membershipsOf(scope, userId);
    const candidates = customerId === undefined ? all : all.filter((m) => m.customer_id === customerId);
    if (candidates.length === 0) throw AppError.notFound('Member');
    if (candidates.length > 1) throw new AppError('VALIDATION_FAILED', 'This user belongs to the vendor and a customer: give customerId (null or "vendor" for the vendor membership)');
    return candidates[0] as MembershipRow;
  }

  /** Role change or removal (null); checked against the admin count atomically with the change. */
  private async change(m: MembershipRow, role: string | null): Promise<void> {
    const result = await this.repo.changeKeepingAdmin(m, role);
    if (result === 'last-admin') throw new AppError('CONFLICT', 'An organisation needs at least one admin; make someone else admin first');
    if (result === 'gone') throw AppError.notFound('Member');
  }
}


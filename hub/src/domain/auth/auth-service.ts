import type { LoginResponse, Membership, SignupPending, SignupResponse } from '@flotilla/protocol';
import type { Mailer } from '../../infra/mailer.js';
import { AppError } from '../../errors.js';
import type { RateLimiterFactory } from '../../infra/index.js';
import { spend } from '../shared/limits.js';
import { isUniqueViolation } from '../shared/db-errors.js';
import { randomToken, sha256Hex } from '../shared/tokens.js';
import { DUMMY_HASH_PROMISE, hashPassword, verifyPassword } from './password.js';
import { assertStrongPassword } from './password-policy.js';
import { toUser, type AuthRepository, type SessionRow, type UserRow } from './auth-repository.js';
import type { TokenRepository } from './token-repository.js';
import { CUSTOMER_ROLES, VENDOR_ROLES, rank } from '../access/roles.js';

export const SESSION_TTL_MS = 14 * 24 * 3600 * 1000;
/** How long a mailed sign-up link works. */
export const SIGNUP_LINK_TTL_MS = 24 * 3600 * 1000;

/** Where sign-ups are confirmed: with SMTP, every sign-up is finished from a link mailed to its address. */
export interface SignupMail {
  mailer: Mailer | undefined;
  publicUrl: string;
}

export interface ClientMeta {
  ip: string | undefined;
  userAgent: string | undefined;
}

/** Who is calling: a browser session (cookie) or an API token (Bearer), and where they belong. */
export interface Principal {
  user: UserRow;
  /** For a token: only the token's organisation, with the token's (never higher) role. */
  memberships: Membership[];
  sessionId: string | null;
  tokenId: string | null;
}

export class AuthService {
  private readonly loginByIpAndEmail;
  private readonly loginByIp;
  private readonly signupByIp;

  constructor(
    private readonly repo: AuthRepository,
    private readonly tokens: TokenRepository,
    rateLimiters: RateLimiterFactory,
    private readonly signupEnabled: boolean,
    private readonly signupMail: SignupMail = { mailer: undefined, publicUrl: '' },
  ) {
    // Every password check is counted before it is made and refunded when the password was right,
    // so only failures accumulate: 10 per address and account per 15 min (a stranger elsewhere
    // cannot lock the account), 100 per address (not counting accounts that signed in from there
    // before: a guesser cannot lock out the colleagues behind the same NAT).
    this.loginByIpAndEmail = rateLimiters({ name: 'login-ip-email', points: 10, durationSeconds: 900, blockSeconds: 900 });
    this.loginByIp = rateLimiters({ name: 'login-ip', points: 100, durationSeconds: 900, blockSeconds: 900 });
    // New vendors per address: plenty for people, slow for scripts probing which emails have accounts.
    this.signupByIp = rateLimiters({ name: 'signup-ip', points: 10, durationSeconds: 3600 });
  }

  /**
   * A new vendor and its admin. With SMTP the account is made only from a link mailed to the address
   * (confirmSignup), and the answer is the same whether or not the address has an account already:
   * its owner is mailed instead. Without SMTP the hub cannot prove who owns an address, so it signs
   * up at once and says when the address is taken (the per-address limit slows probing).
   */
  async signup(input: { email: string; password: string; name: string; vendorName: string }, meta: ClientMeta): Promise<(SignupResponse & { sessionToken: string }) | SignupPending> {
    if (!this.signupEnabled) throw new AppError('FORBIDDEN', 'Sign-up is disabled on this hub; ask an administrator for an invite');
    await spend(this.signupByIp, meta.ip ?? 'unknown', 'Too many sign-ups from your address');
    assertStrongPassword(input.password, { email: input.email, names: [input.name, input.vendorName] });
    const passwordHash = await hashPassword(input.password);
    const { mailer } = this.signupMail;
    if (mailer) {
      const message = await this.signupMessage(input, passwordHash);
      await mailer.send(message).catch(() => {
        throw new AppError('UNAVAILABLE', 'The confirmation mail could not be sent; try again later');
      });
      return { confirmBy: 'email', email: input.email };
    }
    return this.createVendor({ ...input, passwordHash }, meta);
  }

  /** Finishes a sign-up from its mailed link (once); signs the new admin in. */
  async confirmSignup(token: string, meta: ClientMeta): Promise<SignupResponse & { sessionToken: string }> {
    const pending = await this.repo.takePendingSignup(sha256Hex(token));
    if (!pending) throw new AppError('NOT_FOUND', 'This sign-up link is unknown, used or expired; sign up again');
    return this.createVendor(pending, meta);
  }

  /** The mail a sign-up sends: a link to finish it, or, when the address has an account, a note to its owner. */
  private async signupMessage(input: { email: string; name: string; vendorName: string }, passwordHash: string) {
    const signIn = `${this.signupMail.publicUrl}/login`;
    if (await this.repo.findUserByEmail(input.email)) {
      return {
        to: input.email,
        subject: 'Someone tried to sign up to Flotilla with your address',
        text: `Someone, perhaps you, asked to create a Flotilla account for ${input.email}, which already has one. No account was created.\n\nSign in here: ${signIn}\n\nIf it was not you, you need not do anything.\n`,
      };
    }
    const token = randomToken();
    await this.repo.createPendingSignup({ tokenHash: sha256Hex(token), email: input.email, name: input.name, vendorName: input.vendorName, passwordHash, expiresAt: new Date(Date.now() + SIGNUP_LINK_TTL_MS) });
    return {
      to: input.email,
      subject: 'Finish creating your Flotilla account',
      text: `Open this link within 24 hours to create ${input.vendorName} on Flotilla and sign in:\n${this.signupMail.publicUrl}/signup/confirm/${token}\n\nIf you did not sign up, ignore this mail: nothing is created without it.\n`,
    };
  }

  private async createVendor(input: { email: string; name: string; vendorName: string; passwordHash: string }, meta: ClientMeta): Promise<SignupResponse & { sessionToken: string }> {
    try {
      const { user, vendor } = await this.repo.createVendorWithAdmin(input);
      const sessionToken = await this.startSession(user.id, meta);
      return { user: toUser(user), vendor, sessionToken };
    } catch (err) {
      if (isUniqueViolation(err, 'users_email_unique')) throw new AppError('CONFLICT', 'An account with this email already exists; sign in instead');
      throw err;
    }
  }

  async login(input: { email: string; password: string }, meta: ClientMeta): Promise<LoginResponse & { sessionToken: string }> {
    const user = await this.checkPassword(input.email, input.password, meta);
    if (!user) throw new AppError('UNAUTHORIZED', 'Wrong email or password');
    return this.signIn(user, meta);
  }

  /**
   * The account when `password` is its password, else undefined. Rate-limited: the attempt is
   * counted before the password is checked, so concurrent guesses cannot outrun the limit.
   */
  async checkPassword(email: string, password: string, meta: ClientMeta): Promise<UserRow | undefined> {
    const tooMany = 'Too many failed sign-in attempts';
    const ip = meta.ip ?? 'unknown';
    const pairKey = `${ip}|${email}`;
    await spend(this.loginByIpAndEmail, pairKey, tooMany);
    const [user, known] = await Promise.all([this.repo.findUserByEmail(email), this.repo.signedInFrom(email, ip)]);
    if (!known) {
      try {
        await spend(this.loginByIp, ip, tooMany);
      } catch (err) {
        await this.loginByIpAndEmail.refund(pairKey); // refused before any check
        throw err;
      }
    }
    // Verify against a dummy hash for unknown emails so timing does not reveal which accounts exist.
    const ok = await verifyPassword(password, user?.password_hash ?? (await DUMMY_HASH_PROMISE()));
    if (!user || !ok) return undefined;
    await Promise.all([this.loginByIpAndEmail.refund(pairKey), known ? undefined : this.loginByIp.refund(ip)]);
    return user;
  }

  /** A new browser session for a user whose credentials were just proven. */
  async signIn(user: UserRow, meta: ClientMeta): Promise<LoginResponse & { sessionToken: string }> {
    const sessionToken = await this.startSession(user.id, meta);
    return { user: toUser(user), memberships: await this.repo.memberships(user.id), sessionToken };
  }

  async logout(sessionId: string): Promise<void> {
    await this.repo.revokeSession(sessionId);
  }

  /** The principal behind a session cookie value, or undefined when unknown, expired or revoked. */
  async resolveSession(token: string): Promise<Principal | undefined> {
    const found = await this.repo.findSession(sha256Hex(token));
    if (!found) return undefined;
    return { sessionId: found.sessionId, tokenId: null, user: found.user, memberships: await this.repo.memberships(found.user.id) };
  }

  /**
   * The principal behind an API token. Its role is the token's, capped by the owner's current role
   * in that organisation: a demoted or removed member's tokens shrink or stop with them.
   */
  async resolveToken(token: string): Promise<Principal | undefined> {
    const row = await this.tokens.findActive(sha256Hex(token));
    if (!row) return undefined;
    const user = await this.repo.findUserById(row.user_id);
    if (!user) return undefined;
    const membership = (await this.repo.memberships(user.id)).find((m) => m.vendorId === row.vendor_id && m.customerId === row.customer_id);
    if (!membership) return undefined;
    const ladder = membership.customerId === null ? VENDOR_ROLES : CUSTOMER_ROLES;
    const role = rank(row.role, ladder) <= rank(membership.role, ladder) ? row.role : membership.role;
    await this.tokens.touch(row.id);
    return { sessionId: null, tokenId: row.id, user, memberships: [{ ...membership, role }] };
  }

  async listSessions(userId: string): Promise<SessionRow[]> {
    return this.repo.listSessions(userId);
  }

  /** Revokes one of the user's own sessions; false when it is not theirs. */
  async revokeSession(userId: string, sessionId: string): Promise<boolean> {
    return this.repo.revokeUserSession(userId, sessionId);
  }

  private async startSession(userId: string, meta: ClientMeta): Promise<string> {
    const token = randomToken('fls_');
    await this.repo.createSession({ id: sha256Hex(token), userId, expiresAt: new Date(Date.now() + SESSION_TTL_MS), ...meta });
    return token;
  }
}

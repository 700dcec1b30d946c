import type { ApiToken, CreateTokenBody, CreatedToken } from '@flotilla/protocol';
import { AppError } from '../../errors.js';
import { mayGrant } from '../access/roles.js';
import { isUuid } from '../shared/db-errors.js';
import { randomToken, sha256Hex } from '../shared/tokens.js';
import type { Principal } from './auth-service.js';
import type { TokenRepository, TokenRow } from './token-repository.js';

const toApiToken = (r: TokenRow): ApiToken => ({
  id: r.id,
  name: r.name,
  prefix: r.prefix,
  vendorId: r.vendor_id,
  customerId: r.customer_id,
  role: r.role,
  createdAt: r.created_at.toISOString(),
  expiresAt: r.expires_at?.toISOString() ?? null,
  lastUsedAt: r.last_used_at?.toISOString() ?? null,
});

/** Personal access tokens: `flt_…`, shown once, SHA-256 stored, never above the owner's role. */
export class TokenService {
  constructor(private readonly tokens: TokenRepository) {}

  async create(principal: Principal, body: CreateTokenBody, wantedVendorId?: string): Promise<CreatedToken> {
    if (principal.tokenId) throw new AppError('FORBIDDEN', 'An API token cannot create tokens; sign in to create one');
    const vendorId = body.vendorId ?? wantedVendorId;
    const candidates = principal.memberships.filter((m) => (!vendorId || m.vendorId === vendorId) && (body.customerId === undefined || m.customerId === body.customerId));
    // Without a customerId, a vendor membership wins over a customer one in the same vendor.
    const membership = candidates.find((m) => m.customerId === null) ?? candidates[0];
    if (!membership) throw new AppError('VALIDATION_FAILED', 'You are not a member of that organisation');
    const role = body.role ?? membership.role;
    if (!mayGrant(membership, role, membership.customerId !== null)) {
      throw new AppError('FORBIDDEN', `A token cannot have role ${role}: your role there is ${membership.role}`);
    }
    const token = randomToken('flt_');
    const row = await this.tokens.create({
      userId: principal.user.id,
      vendorId: membership.vendorId,
      customerId: membership.customerId,
      role,
      name: body.name,
      tokenHash: sha256Hex(token),
      prefix: token.slice(0, 8),
      expiresAt: body.expiresInDays ? new Date(Date.now() + body.expiresInDays * 86_400_000) : null,
    });
    return { ...toApiToken(row), token };
  }

  async list(userId: string): Promise<ApiToken[]> {
    return (await this.tokens.listForUser(userId)).map(toApiToken);
  }

  async revoke(userId: string, id: string): Promise<void> {
    if (!isUuid(id) || !(await this.tokens.revoke(userId, id))) throw AppError.notFound('Token');
  }
}

import { randomUUID } from 'node:crypto';
import { LICENSE_ALGORITHM, LICENSE_FORMAT_VERSION, type IssueLicenseBody, type License, type LicensePayload, type LicensePublicKey, type LicensesQuery, type ReplaceLicenseBody } from '@flotilla/protocol';
import { AppError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { Scope } from '../access/roles.js';
import { conflictOnDuplicate, isUuid } from '../shared/db-errors.js';
import type { Notifier } from '../shared/notifier.js';
import { generateKeyPair, signLicense, type StoredKeyPair } from './license-signing.js';
import { toLicense, type LicenseRepository, type LicenseRow, type NewLicenseRow } from './license-repository.js';
import { updatesBlockedBy } from './license-expiry.js';

type Terms = Pick<NewLicenseRow, 'expires_at' | 'on_expiry' | 'max_installations' | 'custom_fields'>;

/**
 * Signed licenses: issue, replace, revoke, and hand the customer's current one to its agents (at
 * once on a change, and with every hello). Each vendor signs with its own Ed25519 key, made on first
 * use; the private key never leaves this service (encrypted at rest when `keySecret` is set).
 */
export class LicenseService {
  constructor(
    private readonly repo: LicenseRepository,
    private readonly notifier: Notifier,
    private readonly keySecret: string | undefined,
    private readonly log: Logger,
  ) {}

  async list(scope: Scope, query: LicensesQuery): Promise<License[]> {
    const now = new Date();
    return (await this.repo.list(scope.vendorId, { ...query, customerId: scope.customerId ?? query.customerId })).map((r) => toLicense(r, now));
  }

  async get(scope: Scope, id: string): Promise<License> {
    return toLicense(await this.row(scope, id), new Date());
  }

  async publicKey(vendorId: string): Promise<LicensePublicKey> {
    return { vendorId, algorithm: LICENSE_ALGORITHM, publicKey: (await this.keys(vendorId)).publicKey };
  }

  /** The public key of any vendor (no sign-in); an unknown vendor is not found, and gets no key made. */
  async publicKeyOf(vendorId: string): Promise<LicensePublicKey> {
    if (!isUuid(vendorId) || !(await this.repo.vendorExists(vendorId))) throw AppError.notFound('Vendor');
    return this.publicKey(vendorId);
  }

  async issue(vendorId: string, body: IssueLicenseBody): Promise<License> {
    const terms: Terms = {
      expires_at: body.expiresAt ? new Date(body.expiresAt) : null,
      on_expiry: body.onExpiry ?? 'warn',
      max_installations: body.maxInstallations ?? null,
      custom_fields: body.customFields ?? {},
    };
    const row = await conflictOnDuplicate(
      () => this.create(vendorId, body.customerId, terms),
      'The customer already has an active license: replace it (POST /licenses/:id/replace) or revoke it first',
    );
    return toLicense(row, new Date());
  }

  async replace(vendorId: string, id: string, body: ReplaceLicenseBody): Promise<License> {
    const old = await this.row({ vendorId, customerId: null }, id);
    if (old.status !== 'active') throw new AppError('CONFLICT', `This license is ${old.status}; only the active license is replaced`);
    const terms: Terms = {
      expires_at: body.expiresAt === undefined ? old.expires_at : body.expiresAt === null ? null : new Date(body.expiresAt),
      on_expiry: body.onExpiry ?? old.on_expiry,
      max_installations: body.maxInstallations === undefined ? old.max_installations : body.maxInstallations,
      custom_fields: body.customFields ?? old.custom_fields,
    };
    return toLicense(await this.create(vendorId, old.customer_id, terms, old.id), new Date());
  }

  async revoke(vendorId: string, id: string): Promise<License> {
    const old = await this.row({ vendorId, customerId: null }, id);
    const row = await this.repo.revoke(vendorId, id, new Date());
    if (!row) throw new AppError('CONFLICT', `This license is ${old.status} already`);
    await this.deliver(vendorId, row.customer_id, null);
    return toLicense(row, new Date());
  }

  /** The current license of each agent's customer, for hellos and polls (one query for many agents). */
  async currentFor(customerIds: readonly string[]): Promise<Map<string, string>> {
    const rows = await this.repo.activeOf(customerIds);
    return new Map([...rows].map(([customerId, row]) => [customerId, row.token]));
  }

  /** Refuses a deploy or rollout to a customer whose license expired with `block-updates`. */
  async assertUpdatesAllowed(vendorId: string, customerId: string, customerName?: string): Promise<void> {
    const blocked = await this.blockedCustomers(vendorId, [customerId]);
    const row = blocked.get(customerId);
    if (row) throw new AppError('CONFLICT', expiredMessage(customerName ?? 'The customer', row));
  }

  /** Customers among these whose active license expired and blocks updates. */
  async blockedCustomers(vendorId: string, customerIds: readonly string[], now = new Date()): Promise<Map<string, LicenseRow>> {
    const active = await this.repo.activeOf(customerIds);
    return new Map([...active].filter(([, row]) => row.vendor_id === vendorId && updatesBlockedBy(row, now)));
  }

  private async create(vendorId: string, customerId: string, terms: Terms, replaces?: string): Promise<LicenseRow> {
    const names = isUuid(customerId) ? await this.repo.names(vendorId, customerId) : undefined;
    if (!names) throw new AppError('VALIDATION_FAILED', `customerId: no customer ${customerId}`);
    const id = randomUUID();
    const issuedAt = new Date();
    const entitlements = await this.repo.entitlements(vendorId, customerId);
    const payload: LicensePayload = {
      v: LICENSE_FORMAT_VERSION,
      id,
      vendorId,
      vendor: names.vendor,
      customerId,
      customer: names.customer,
      issuedAt: issuedAt.toISOString(),
      expiresAt: terms.expires_at?.toISOString() ?? null,
      onExpiry: terms.on_expiry,
      maxInstallations: terms.max_installations,
      entitlements,
      customFields: terms.custom_fields,
    };
    const token = signLicense(payload, await this.keys(vendorId), this.keySecret);
    const row = await this.repo.insert({ id, vendor_id: vendorId, customer_id: customerId, ...terms, entitlements, token, issued_at: issuedAt }, replaces);
    if (!row) throw new AppError('CONFLICT', 'This license was replaced or revoked meanwhile; only the active license is replaced');
    await this.deliver(vendorId, customerId, token);
    return row;
  }

  private async row(scope: Scope, id: string): Promise<LicenseRow> {
    const row = isUuid(id) ? await this.repo.get(scope.vendorId, id) : undefined;
    if (!row || (scope.customerId !== null && row.customer_id !== scope.customerId)) throw AppError.notFound('License');
    return row;
  }

  private async keys(vendorId: string): Promise<StoredKeyPair> {
    const stored = await this.repo.keys(vendorId);
    if (stored) {
      if (stored.encrypted && !this.keySecret) throw new AppError('INTERNAL', "The vendor's license key is encrypted and LICENSE_KEY_SECRET is not set");
      return stored;
    }
    if (!this.keySecret) this.log.warn({ vendorId }, 'LICENSE_KEY_SECRET is not set: the license signing key is stored unencrypted (never served)');
    return this.repo.saveKeys(vendorId, generateKeyPair(this.keySecret));
  }

  /** Tells the customer's connected agents; offline ones get it with their next hello or poll. */
  private async deliver(vendorId: string, customerId: string, license: string | null): Promise<void> {
    const agentIds = await this.repo.agentIds(vendorId, customerId);
    if (agentIds.length > 0) this.notifier.license(agentIds, { license });
  }
}

function expiredMessage(customer: string, row: LicenseRow): string {
  return `${customer}'s license expired on ${row.expires_at?.toISOString() ?? '?'} and blocks updates: replace it with a later expiry to deploy`;
}

import type { CreateInstallationBody, Installation, InstallationEventsPage, InstallationStatus, UptimeResponse, UptimeWindow } from '@flotilla/protocol';
import { AppError } from '../../errors.js';
import { conflictOnDuplicate, isUuid } from '../shared/db-errors.js';
import type { Notifier } from '../shared/notifier.js';
import type { Scope } from '../access/roles.js';
import type { PageRequest, Page } from '../shared/pagination.js';
import type { CustomerService } from '../customers/customer-service.js';
import type { ReleaseService } from '../releases/release-service.js';
import type { UptimeService } from './uptime-service.js';
import { checkWindow } from '../../rollouts/windows.js';
import { valuesProblems } from './helm-values.js';
import type { z } from 'zod';
import type { UpdateInstallationBody } from '@flotilla/protocol';

type InstallationPatch = z.output<typeof UpdateInstallationBody>;
import { toInstallation, toStatus, type InstallationRepository, type InstallationRow } from './installation-repository.js';
import type { ShippedAgentImages } from '../commands/agent-update.js';
import { creationRefusal, patchRefusal } from './self-service.js';

export class InstallationService {
  constructor(
    private readonly repo: InstallationRepository,
    private readonly customers: CustomerService,
    private readonly notifier: Notifier,
    /** Vendors may use any of their tracks; customers only those they are entitled to. */
    private readonly tracks: Pick<ReleaseService, 'trackVisible'>,
    private readonly shipped: ShippedAgentImages,
    private readonly uptimes: UptimeService,
  ) {}

  async list(scope: Scope, page: PageRequest): Promise<Page<Installation>> {
    const rows = await this.repo.list(scope, page);
    const uptimes = await this.uptimes.percents(scope.vendorId, rows.items, '24h', new Date());
    return { items: rows.items.map((r) => toInstallation(r, uptimes.get(r.id)?.uptimePercent ?? null, this.shipped)), nextCursor: rows.nextCursor };
  }

  async row(scope: Scope, id: string): Promise<InstallationRow> {
    const row = isUuid(id) ? await this.repo.get(scope, id) : undefined;
    if (!row) throw AppError.notFound('Installation');
    return row;
  }

  async get(scope: Scope, id: string): Promise<Installation> {
    const row = await this.row(scope, id);
    const uptime = await this.uptimes.percents(scope.vendorId, [row], '24h', new Date());
    return toInstallation(row, uptime.get(row.id)?.uptimePercent ?? null, this.shipped);
  }

  async create(scope: Scope, body: CreateInstallationBody): Promise<Installation> {
    if (body.trackId !== undefined) await this.checkTrack(scope, body.trackId);
    if (body.clusterScoped === true && body.agentKind !== 'helm') throw new AppError('VALIDATION_FAILED', 'clusterScoped applies to helm installations only');
    // A customer user names its own customer; any other is refused like one that does not exist.
    const customer = await this.customers.get(scope, body.customerId).catch(() => {
      throw new AppError('VALIDATION_FAILED', `customerId: no customer ${body.customerId}`);
    });
    // Customer admins serve themselves within the limits their vendor set.
    if (scope.customerId !== null) {
      if (body.clusterScoped === true) throw new AppError('FORBIDDEN', 'Only your vendor grants an agent cluster-wide rights');
      const refusal = creationRefusal(customer, await this.customers.installationCount(scope.vendorId, customer.id), body.environment);
      if (refusal) throw refusal;
    }
    const input = { customerId: customer.id, name: body.name, environment: body.environment, agentKind: body.agentKind, trackId: body.trackId ?? null, clusterScoped: body.clusterScoped ?? false };
    // A customer admin's create counts against the limit atomically (two at once cannot both take the last place).
    const max = scope.customerId !== null ? customer.maxInstallations : null;
    const id = await conflictOnDuplicate(
      () => (max === null ? this.repo.create(scope.vendorId, input) : this.repo.createWithin(scope.vendorId, input, max)),
      `Customer "${customer.name}" already has an installation "${body.name}" in ${body.environment}`,
    );
    if (id === undefined) throw creationRefusal(customer, max ?? 0, body.environment) ?? new AppError('CONFLICT', `${customer.name} has no place for another installation`);
    return this.changed(scope.vendorId, id);
  }

  /**
   * Shows an installation that was created or changed (name, track, agent, lifecycle…) live, in its
   * REST shape, to its vendor and its customer; returns that shape.
   */
  async changed(vendorId: string, id: string): Promise<Installation> {
    const installation = await this.get({ vendorId, customerId: null }, id);
    this.notifier.installationChanged({ vendorId, customerId: installation.customerId }, installation);
    return installation;
  }

  /** Shows live that an installation is gone (deleted at once, or once its agent uninstalled it). */
  removed(row: InstallationRow): void {
    this.notifier.installationRemoved({ vendorId: row.vendor_id, customerId: row.customer_id }, { installationId: row.id });
  }

  async update(scope: Scope, id: string, patch: InstallationPatch): Promise<Installation> {
    const row = await this.row(scope, id);
    if (scope.customerId !== null) {
      const refusal = patchRefusal(await this.customers.get(scope, row.customer_id), patch, row.environment);
      if (refusal) throw refusal;
    }
    checkHelmSettings(row, patch);
    if (patch.trackId !== undefined && patch.trackId !== null) await this.checkTrack(scope, patch.trackId);
    for (const [i, w] of (patch.maintenanceWindows ?? []).entries()) {
      try {
        checkWindow(w);
      } catch (err) {
        throw new AppError('VALIDATION_FAILED', `maintenanceWindows.${i}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    await conflictOnDuplicate(() => this.repo.update(scope, id, patch), 'The customer already has an installation with this name in this environment');
    return this.changed(scope.vendorId, id);
  }

  /** A track of another vendor, one the customer is not entitled to, or none at all, is refused in the same words (no existence leak). */
  private async checkTrack(scope: Scope, trackId: string): Promise<void> {
    if (!(isUuid(trackId) && (await this.tracks.trackVisible(scope, trackId)))) throw new AppError('VALIDATION_FAILED', `trackId: no track ${trackId}`);
  }

  /**
   * Deleting an installation revokes its agent: the live connection drops at once. What the agent
   * runs stays (see UninstallService for removing it first).
   */
  async delete(scope: Scope, id: string): Promise<void> {
    const row = await this.row(scope, id);
    await this.repo.delete(scope, id);
    if (row.agent_id) this.notifier.disconnectAgent(row.agent_id);
    this.removed(row);
  }

  async status(scope: Scope, id: string): Promise<InstallationStatus> {
    return toStatus(await this.row(scope, id), this.shipped);
  }

  /** The status-page bar and totals of a window (see UptimeService: roll-ups plus the live tail). */
  async uptime(scope: Scope, id: string, window: UptimeWindow, now = new Date()): Promise<UptimeResponse> {
    const row = await this.row(scope, id);
    const summary = await this.uptimes.summary(scope.vendorId, row, window, now);
    return {
      installationId: id,
      window,
      from: summary.from.toISOString(),
      to: now.toISOString(),
      uptimePercent: summary.uptimePercent,
      connectedPercent: summary.connectedPercent,
      bucket: summary.bucket,
      segments: summary.segments,
    };
  }

  /** The installation's timeline, newest first, paged on the event id. */
  async events(scope: Scope, id: string, limit: number, before?: number): Promise<InstallationEventsPage> {
    await this.row(scope, id);
    return this.repo.listEvents(scope, id, limit, before);
  }
}

/** Helm-only settings: refused on compose installations; each values override must be a YAML mapping. */
function checkHelmSettings(row: InstallationRow, patch: InstallationPatch): void {
  if (row.agent_kind !== 'helm' && (patch.clusterScoped !== undefined || patch.helmValues !== undefined)) {
    throw new AppError('VALIDATION_FAILED', `${patch.helmValues !== undefined ? 'helmValues' : 'clusterScoped'} applies to helm installations only; "${row.name}" runs a ${row.agent_kind} agent`);
  }
  for (const [component, text] of Object.entries(patch.helmValues ?? {})) {
    const problems = valuesProblems(text);
    if (problems.length > 0) throw new AppError('VALIDATION_FAILED', `helmValues.${component}: ${problems.join('; ')}`);
  }
}

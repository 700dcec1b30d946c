import type { ComponentState, Health, HostFacts, Installation, InstallationEventsPage, InstallationLifecycle, InstallationStatus, MaintenanceWindow } from '@flotilla/protocol';
import type { Database } from '../../infra/index.js';
import type { Knex } from 'knex';
import { paginate, type Page, type PageRequest } from '../shared/pagination.js';
import type { Scope } from '../access/roles.js';
import { agentUpdateOffer, type ShippedAgentImages } from '../commands/agent-update.js';
import { foldObservations, type Observed } from './observations.js';
import { versionTruth, withDesiredVersions } from './version-truth.js';
import type { InstallationConfigRepository } from '../desired-state/config-repository.js';
import { columnArrays, unnestOf } from '../../infra/typed-arrays.js';

export interface InstallationRow {
  id: string;
  vendor_id: string;
  customer_id: string;
  customer_name: string;
  name: string;
  environment: string;
  agent_kind: 'compose' | 'helm';
  track_id: string | null;
  release_id: string | null;
  agent_id: string | null;
  /** The agent version of the last handshake (null before the agent ever connected). */
  agent_version: string | null;
  /** The agent's host facts from its last handshake (null before it ever connected). */
  agent_host: HostFacts | null;
  maintenance_windows: MaintenanceWindow[];
  /** Helm: the agent's manifest grants cluster-wide rights. */
  cluster_scoped: boolean;
  /** Helm values overrides per component name (YAML mapping texts). */
  helm_values: Record<string, string>;
  /** `uninstalling` while the agent runs the uninstall command (see UninstallService). */
  lifecycle: InstallationLifecycle;
  desired_revision: number;
  desired_version: string | null;
  /** The current desired state's components, name → version (written with desired_version). */
  desired_components: Record<string, string>;
  applied_revision: number;
  running_version: string | null;
  health: Health;
  health_since: Date | null;
  components: ComponentState[];
  online: boolean;
  last_seen_at: Date | null;
  /** When its agent first connected (null: never): uptime counts from then. */
  first_connected_at: Date | null;
  status_updated_at: Date;
  created_at: Date;
  updated_at: Date;
}

/** The columns an installation's live status is made of (what a status write returns). */
export type StatusRow = Pick<
  InstallationRow,
  'id' | 'online' | 'desired_revision' | 'applied_revision' | 'health' | 'components' | 'desired_components' | 'desired_version' | 'last_seen_at' | 'status_updated_at' | 'agent_version' | 'agent_kind' | 'agent_host'
>;

/** The installation's status; `shipped` (the hub's agent images) decides whether an agent update is offered. */
export function toStatus(r: StatusRow, shipped: ShippedAgentImages): InstallationStatus {
  const truth = versionTruth({ desiredVersion: r.desired_version, desiredRevision: r.desired_revision, appliedRevision: r.applied_revision, desired: r.desired_components, reported: r.components });
  return {
    installationId: r.id,
    online: r.online,
    desiredRevision: r.desired_revision,
    appliedRevision: r.applied_revision,
    health: r.health,
    components: withDesiredVersions(r.components, r.desired_components),
    desiredVersion: r.desired_version,
    runningVersion: truth.runningVersion,
    lastSeenAt: r.last_seen_at?.toISOString() ?? null,
    updatedAt: r.status_updated_at.toISOString(),
    agentVersion: r.agent_version,
    agentUpdate: agentUpdateOffer(r.agent_kind, r.agent_version, shipped),
    versionDrift: truth.versionDrift,
    host: r.agent_host,
  };
}

export function toInstallation(r: InstallationRow, uptime24h: number | null, shipped: ShippedAgentImages): Installation {
  return {
    id: r.id,
    vendorId: r.vendor_id,
    customerId: r.customer_id,
    customerName: r.customer_name,
    name: r.name,
    environment: r.environment,
    agentKind: r.agent_kind,
    trackId: r.track_id,
    agentId: r.agent_id,
    maintenanceWindows: r.maintenance_windows,
    lifecycle: r.lifecycle,
    clusterScoped: r.cluster_scoped,
    helmValues: r.helm_values,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    status: toStatus(r, shipped),
    uptime24h,
  };
}

export interface InstallationPatch {
  name?: string | undefined;
  environment?: string | undefined;
  maintenanceWindows?: MaintenanceWindow[] | undefined;
  clusterScoped?: boolean | undefined;
  helmValues?: Record<string, string> | undefined;
  /** `null` takes the installation off any track. */
  trackId?: string | null | undefined;
}

/** The observed side of an installation, as written from agent reports and hellos. */
export type ObservedState = Observed;

export interface NewInstallation {
  customerId: string;
  name: string;
  environment: string;
  agentKind: 'compose' | 'helm';
  trackId: string | null;
  clusterScoped: boolean;
}

/** PostgreSQL types of a status write's rows: the state folded, and the state it was folded onto (`was_`). */
const STATUS_COLUMN_TYPES = {
  id: 'uuid',
  applied_revision: 'integer',
  components: 'jsonb',
  health: 'text',
  running_version: 'text',
  health_changed: 'boolean',
  was_applied_revision: 'integer',
  was_components: 'jsonb',
  was_health: 'text',
  was_running_version: 'text',
} as const;
type StatusColumn = keyof typeof STATUS_COLUMN_TYPES;
const STATUS_COLUMNS = Object.keys(STATUS_COLUMN_TYPES) as StatusColumn[];

export class InstallationRepository {
  constructor(
    private readonly db: Database,
    /** Helm values overrides live with the rest of the installation's configuration (installation_config). */
    private readonly config: Pick<InstallationConfigRepository, 'replaceHelmValues'>,
  ) {}

  /** Installation rows with what the API shows beside them (customer name, agent), any vendor. */
  private rows(): Knex.QueryBuilder {
    return this.db('installations')
      .join('customers', 'customers.id', 'installations.customer_id')
      .leftJoin('agents', 'agents.installation_id', 'installations.id')
      .select('installations.*', 'customers.name as customer_name', 'agents.id as agent_id', 'agents.agent_version', 'agents.host as agent_host')
      .select(
        this.db.raw(
          `COALESCE((SELECT jsonb_object_agg(c.component, c.helm_values) FROM installation_config c WHERE c.installation_id = installations.id AND c.helm_values IS NOT NULL), '{}'::jsonb) AS helm_values`,
        ),
      );
  }

  /** Installations visible in a scope: the vendor's, and only the customer's own for customer users. */
  private base(scope: Scope): Knex.QueryBuilder {
    const q = this.rows().where('installations.vendor_id', scope.vendorId);
    if (scope.customerId !== null) q.where('installations.customer_id', scope.customerId);
    return q;
  }

  private scopedWhere(scope: Scope, id: string): Record<string, string> {
    return scope.customerId === null ? { vendor_id: scope.vendorId, id } : { vendor_id: scope.vendorId, customer_id: scope.customerId, id };
  }

  /** For system jobs only, many at once (a hub's sessions closed at shutdown): not scoped by vendor. */
  async getManyAnyVendor(ids: readonly string[]): Promise<InstallationRow[]> {
    if (ids.length === 0) return [];
    return this.rows().whereRaw('installations.id = ANY(?::uuid[])', [[...ids]]);
  }

  list(scope: Scope, page: PageRequest): Promise<Page<InstallationRow>> {
    return paginate(this.base(scope), page, (r: InstallationRow) => r, 'installations');
  }

  async get(scope: Scope, id: string): Promise<InstallationRow | undefined> {
    return this.base(scope).where('installations.id', id).first();
  }

  async create(vendorId: string, input: NewInstallation, db: Knex | Knex.Transaction = this.db): Promise<string> {
    const [row] = await db('installations')
      .insert({ vendor_id: vendorId, customer_id: input.customerId, name: input.name, environment: input.environment, agent_kind: input.agentKind, track_id: input.trackId, cluster_scoped: input.clusterScoped })
      .returning('id');
    return (row as { id: string }).id;
  }

  /**
   * Creates the installation unless its customer already has `max`; undefined when full. Counted
   * under a lock on the customer row, so concurrent creates cannot overshoot the limit.
   */
  async createWithin(vendorId: string, input: NewInstallation, max: number): Promise<string | undefined> {
    return this.db.transaction(async (trx) => {
      await trx('customers').where({ vendor_id: vendorId, id: input.customerId }).forUpdate().select('id');
      const [row] = await trx('installations').where({ vendor_id: vendorId, customer_id: input.customerId }).count<{ count: string }[]>('id as count');
      if (Number(row?.count ?? 0) >= max) return undefined;
      return this.create(vendorId, input, trx);
    });
  }

  async update(scope: Scope, id: string, patch: InstallationPatch): Promise<void> {
    const { maintenanceWindows, clusterScoped, helmValues, trackId, ...rest } = patch;
    if (helmValues) await this.config.replaceHelmValues(scope.vendorId, id, helmValues);
    await this.db('installations')
      .where(this.scopedWhere(scope, id))
      .update({
        ...rest,
        ...(maintenanceWindows ? { maintenance_windows: JSON.stringify(maintenanceWindows) } : {}),
        ...(clusterScoped === undefined ? {} : { cluster_scoped: clusterScoped }),
        ...(trackId === undefined ? {} : { track_id: trackId }),
        updated_at: this.db.fn.now(),
      });
  }

  async delete(scope: Scope, id: string): Promise<void> {
    await this.db('installations').where(this.scopedWhere(scope, id)).delete();
  }

  /**
   * `active` → `uninstalling`; returns the desired revision the uninstall takes away, or undefined
   * when the installation is not active (already uninstalling, or gone). Appends of desired states
   * check the lifecycle under the same row lock, so none slips in after this.
   */
  async markUninstalling(vendorId: string, id: string, trx: Knex.Transaction): Promise<number | undefined> {
    const [row] = (await trx('installations')
      .where({ vendor_id: vendorId, id, lifecycle: 'active' })
      .update({ lifecycle: 'uninstalling', updated_at: trx.fn.now() })
      .returning('desired_revision')) as { desired_revision: number }[];
    return row?.desired_revision;
  }

  /**
   * Moves the installation from one lifecycle to another; false when it is not in `from` (someone
   * else moved it first, or it is gone). The row lock orders it with desired-state appends.
   */
  async setLifecycle(vendorId: string, id: string, from: InstallationLifecycle, to: InstallationLifecycle, trx?: Knex.Transaction): Promise<boolean> {
    const updated = await (trx ?? this.db)('installations').where({ vendor_id: vendorId, id, lifecycle: from }).update({ lifecycle: to, updated_at: this.db.fn.now() });
    return updated > 0;
  }

  /**
   * Writes what agents report, many installations at once. Each installation's reports are folded
   * onto its stored state in arrival order (every health and drift transition becomes an event); one
   * statement locks the rows in id order (concurrent batches cannot deadlock), writes each state
   * only if the one it was folded onto is still stored, adds the events, and returns the columns of
   * the live status. So a batch costs two round trips, not a transaction's six (a reconnect storm is
   * bound by PostgreSQL's round trips); installations another writer changed in between are folded
   * again under their row locks. Deleted installations are absent from the result. The rows are
   * locked through an array of ids, whose size PostgreSQL knows (see appendMany); a batch holds at
   * most a few hundred reports, so the recordsets' fixed guess of 100 rows cannot go far wrong.
   */
  async saveObservedMany(reports: readonly { vendorId: string; id: string; observed: ObservedState }[]): Promise<Map<string, { row: StatusRow; progressed: boolean }>> {
    const byId = new Map<string, { vendorId: string; reports: ObservedState[] }>();
    for (const r of reports) {
      const entry = byId.get(r.id);
      if (entry && entry.vendorId === r.vendorId) entry.reports.push(r.observed);
      else if (!entry) byId.set(r.id, { vendorId: r.vendorId, reports: [r.observed] });
    }
    const saved = new Map<string, { row: StatusRow; progressed: boolean }>();
    const changedMeanwhile = await this.foldAndWrite(this.db, byId, [...byId.keys()], saved);
    if (changedMeanwhile.length > 0) await this.db.transaction((trx) => this.foldAndWrite(trx, byId, changedMeanwhile, saved, true));
    return saved;
  }

  /** One round of saveObservedMany for `ids`; adds what it wrote to `saved`, returns the ids it could not write. */
  private async foldAndWrite(
    db: Knex | Knex.Transaction,
    byId: Map<string, { vendorId: string; reports: ObservedState[] }>,
    ids: string[],
    saved: Map<string, { row: StatusRow; progressed: boolean }>,
    /** Read under row locks (in a transaction): nobody can change them before the write. */
    locked = false,
  ): Promise<string[]> {
    const read = db('installations').whereRaw('id = ANY(?::uuid[])', [ids]).select('id', 'vendor_id', 'health', 'applied_revision', 'components', 'running_version');
    const before: { id: string; vendor_id: string; health: Health; applied_revision: number; components: ComponentState[]; running_version: string | null }[] = locked ? await read.orderBy('id').forNoKeyUpdate() : await read;
    const updates: ({ id: string } & Record<StatusColumn, unknown>)[] = [];
    const events: Record<string, unknown>[] = [];
    const progressed = new Map<string, boolean>();
    for (const b of before) {
      const entry = byId.get(b.id);
      if (!entry || entry.vendorId !== b.vendor_id) continue;
      const folded = foldObservations({ appliedRevision: b.applied_revision, components: b.components, health: b.health, runningVersion: b.running_version }, entry.reports);
      const f = folded.final;
      updates.push({
        id: b.id,
        applied_revision: f.appliedRevision,
        components: f.components,
        health: f.health,
        running_version: f.runningVersion,
        health_changed: folded.healthChanged,
        // The state folded onto: written only if it is still the one stored.
        was_applied_revision: b.applied_revision,
        was_components: b.components,
        was_health: b.health,
        was_running_version: b.running_version,
      });
      for (const e of folded.events) events.push({ ord: events.length, vendor_id: b.vendor_id, installation_id: b.id, type: e.type, health: e.health, message: e.message, data: e.data });
      progressed.set(b.id, folded.progressed);
    }
    if (updates.length === 0) return [];
    const result: { rows: StatusRow[] } = await db.raw(
      // Typed arrays (unnest), not a JSON document: the planner knows how many rows come. With
      // jsonb_to_recordset's guess of 100 it joined the locked rows by rescanning them per input
      // (233 000 rows filtered, 86 ms for a batch of 483 in a connect storm).
      `WITH v AS (SELECT * FROM ${unnestOf('v', STATUS_COLUMN_TYPES, STATUS_COLUMNS)}),
            l AS MATERIALIZED (SELECT id FROM installations WHERE id = ANY(?::uuid[]) ORDER BY id FOR NO KEY UPDATE),
            u AS (UPDATE installations AS i SET
                    applied_revision = v.applied_revision, components = v.components, health = v.health, running_version = v.running_version,
                    last_seen_at = now(), status_updated_at = now(),
                    health_since = CASE WHEN v.health_changed THEN now() ELSE i.health_since END
                    FROM l, v
                   WHERE i.id = l.id AND v.id = l.id
                     AND i.applied_revision = v.was_applied_revision AND i.components = v.was_components
                     AND i.health = v.was_health AND i.running_version IS NOT DISTINCT FROM v.was_running_version
                  RETURNING i.id, i.online, i.desired_revision, i.applied_revision, i.health, i.components, i.desired_components, i.desired_version,
                            i.last_seen_at, i.status_updated_at, i.agent_kind),
            e AS (INSERT INTO installation_events (vendor_id, installation_id, type, health, message, data)
                  SELECT ev.vendor_id, ev.installation_id, ev.type, ev.health, ev.message, ev.data
                    FROM jsonb_to_recordset(?::jsonb) AS ev(ord integer, vendor_id uuid, installation_id uuid, type text, health text, message text, data jsonb)
                   WHERE ev.installation_id IN (SELECT id FROM u) ORDER BY ev.ord)
       SELECT u.*, a.agent_version, a.host AS agent_host FROM u LEFT JOIN agents a ON a.installation_id = u.id`,
      [
        ...columnArrays(updates, STATUS_COLUMNS),
        updates.map((u) => u.id),
        JSON.stringify(events),
      ] as Knex.Value[],
    );
    for (const row of result.rows) saved.set(row.id, { row, progressed: progressed.get(row.id) ?? false });
    return updates.map((u) => u.id).filter((id) => !saved.has(id));
  }

  async addEvent(vendorId: string, installationId: string, e: { type: string; health?: Health | null; message?: string | null; data?: unknown }): Promise<void> {
    await this.db('installation_events').insert({
      vendor_id: vendorId,
      installation_id: installationId,
      type: e.type,
      health: e.health ?? null,
      message: e.message ?? null,
      data: e.data === undefined ? null : JSON.stringify(e.data),
    });
  }

  /** The timeline, newest first: a page of `limit` events older than the event `before`, and where the next page starts. */
  async listEvents(scope: Scope, installationId: string, limit: number, before?: number): Promise<InstallationEventsPage> {
    const q = this.db('installation_events')
      .where({ vendor_id: scope.vendorId, installation_id: installationId })
      .whereIn('installation_id', this.base(scope).clearSelect().select('installations.id'))
      .orderBy('id', 'desc')
      .limit(limit + 1);
    if (before !== undefined) q.where('id', '<', before);
    const found: { id: string; installation_id: string; type: string; health: Health | null; message: string | null; at: Date }[] = await q;
    const rows = found.slice(0, limit);
    const last = rows.at(-1);
    return {
      items: rows.map((r) => ({ id: String(r.id), installationId: r.installation_id, type: r.type, health: r.health, message: r.message, at: r.at.toISOString() })),
      nextBefore: found.length > limit && last ? Number(last.id) : null,
    };
  }
}

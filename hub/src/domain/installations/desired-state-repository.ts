import type { DesiredComponent, DesiredState, InstallationLifecycle } from '@flotilla/protocol';
import type { Knex } from 'knex';
import type { Database } from '../../infra/index.js';

export interface NewRevision {
  revision: number;
  customerId: string;
  agentId: string | null;
}

/** What a new revision is made of; `versionIds`: the application versions it deploys (they are then in use for good). */
export interface NewDesiredState {
  components: DesiredComponent[];
  source: Record<string, unknown>;
  /** The label the fleet shows; null: nothing deployed (a first install rolled back). */
  desiredVersion: string | null;
  createdBy: string | null;
  releaseId?: string | null;
  versionIds?: readonly string[];
}

/**
 * Records the first deploy of application versions (they can then be archived, never deleted).
 * Rows are locked in id order, and only those not marked yet: once deployed, a version costs nothing.
 */
/** The desired component versions an installation row keeps beside `desired_version` (name → version). */
export function desiredVersions(components: readonly DesiredComponent[]): Record<string, string> {
  return Object.fromEntries(components.map((c) => [c.name, c.version]));
}

async function markVersionsDeployed(trx: Knex.Transaction, vendorId: string, versionIds: readonly string[]): Promise<void> {
  const ids = [...new Set(versionIds)];
  if (ids.length === 0) return;
  await trx.raw(
    `UPDATE application_versions SET first_deployed_at = now()
      WHERE id IN (SELECT id FROM application_versions WHERE vendor_id = ? AND id = ANY(?::uuid[]) AND first_deployed_at IS NULL ORDER BY id FOR UPDATE)
        AND first_deployed_at IS NULL`,
    [vendorId, ids],
  );
}

export class DesiredStateRepository {
  constructor(private readonly db: Database) {}

  /** The current desired state of an installation, whoever owns it (system delivery only). */
  async currentOf(installationId: string): Promise<DesiredState | null> {
    const row: { vendor_id: string } | undefined = await this.db('installations').where({ id: installationId }).first('vendor_id');
    return row ? this.current(row.vendor_id, installationId) : null;
  }

  /** Current desired states of many installations of any vendors, in one query (hellos, polls). */
  async currentMany(keys: readonly { vendorId: string; installationId: string }[]): Promise<Map<string, DesiredState>> {
    const rows: { installation_id: string; vendor_id: string; revision: number; components: DesiredComponent[] }[] = await this.db('desired_states as d')
      .join('installations as i', function () {
        this.on('i.id', 'd.installation_id').andOn('i.desired_revision', 'd.revision');
      })
      .whereIn('d.installation_id', [...new Set(keys.map((k) => k.installationId))])
      .select('d.installation_id', 'd.vendor_id', 'd.revision', 'd.components');
    const vendorOf = new Map(keys.map((k) => [k.installationId, k.vendorId]));
    return new Map(rows.filter((r) => vendorOf.get(r.installation_id) === r.vendor_id).map((r) => [r.installation_id, { installationId: r.installation_id, revision: r.revision, components: r.components }]));
  }

  async current(vendorId: string, installationId: string, trx?: Knex.Transaction): Promise<DesiredState | null> {
    const row: { revision: number; components: DesiredComponent[] } | undefined = await (trx ?? this.db)('desired_states as d')
      .join('installations as i', function () {
        this.on('i.id', 'd.installation_id').andOn('i.desired_revision', 'd.revision');
      })
      .where({ 'd.vendor_id': vendorId, 'd.installation_id': installationId })
      .first('d.revision', 'd.components');
    return row ? { installationId, revision: row.revision, components: row.components } : null;
  }

  /**
   * Appends the next revision under a row lock on the installation, so concurrent deploys get
   * distinct, gap-free revisions.
   */
  async append(
    vendorId: string,
    installationId: string,
    input: NewDesiredState,
    outer?: Knex.Transaction,
  ): Promise<NewRevision | undefined> {
    // Inside a caller's transaction (the rollout engine) this is a savepoint of it.
    return (outer ?? this.db).transaction(async (trx) => {
      const inst: { desired_revision: number; customer_id: string; lifecycle: InstallationLifecycle } | undefined = await trx('installations')
        .where({ vendor_id: vendorId, id: installationId })
        .forNoKeyUpdate()
        .first('desired_revision', 'customer_id', 'lifecycle');
      // Checked under the row lock: an uninstall that started meanwhile wins.
      if (!inst || inst.lifecycle !== 'active') return undefined;
      const revision = inst.desired_revision + 1;
      await trx('desired_states').insert({
        installation_id: installationId,
        revision,
        vendor_id: vendorId,
        components: JSON.stringify(input.components),
        source: JSON.stringify(input.source),
        created_by: input.createdBy,
      });
      await trx('installations')
        .where({ id: installationId })
        .update({
          desired_revision: revision,
          desired_version: input.desiredVersion,
          desired_components: JSON.stringify(desiredVersions(input.components)),
          release_id: input.releaseId ?? null,
          status_updated_at: trx.fn.now(),
          updated_at: trx.fn.now(),
        });
      await trx('installation_events').insert({
        vendor_id: vendorId,
        installation_id: installationId,
        type: 'deployed',
        message: `revision ${revision}: ${input.desiredVersion ?? 'no components'}`,
        data: JSON.stringify(input.source),
      });
      await markVersionsDeployed(trx, vendorId, input.versionIds ?? []);
      const agent: { id: string } | undefined = await trx('agents').where({ installation_id: installationId }).first('id');
      return { revision, customerId: inst.customer_id, agentId: agent?.id ?? null };
    });
  }

  /**
   * `append` for many installations of one vendor in a handful of statements (a rollout wave):
   * the installations are locked in id order, each gets its next revision. Installations that no
   * longer exist, or are being uninstalled, are absent from the result.
   */
  async appendMany(
    vendorId: string,
    inputs: readonly (NewDesiredState & { installationId: string })[],
    trx: Knex.Transaction,
  ): Promise<Map<string, NewRevision>> {
    if (inputs.length === 0) return new Map();
    const locked: { id: string; desired_revision: number; customer_id: string }[] = await trx('installations')
      .where({ vendor_id: vendorId, lifecycle: 'active' })
      .whereIn('id', inputs.map((i) => i.installationId))
      .orderBy('id')
      .forNoKeyUpdate()
      .select('id', 'desired_revision', 'customer_id');
    const current = new Map(locked.map((l) => [l.id, l]));
    const rows = inputs.flatMap((input) => {
      const inst = current.get(input.installationId);
      return inst ? [{ input, inst, revision: inst.desired_revision + 1 }] : [];
    });
    if (rows.length === 0) return new Map();
    for (let i = 0; i < rows.length; i += 1000) {
      const chunk = rows.slice(i, i + 1000);
      await trx('desired_states').insert(
        chunk.map(({ input, revision }) => ({ installation_id: input.installationId, revision, vendor_id: vendorId, components: JSON.stringify(input.components), source: JSON.stringify(input.source), created_by: input.createdBy })),
      );
      await trx('installation_events').insert(
        chunk.map(({ input, revision }) => ({ vendor_id: vendorId, installation_id: input.installationId, type: 'deployed', message: `revision ${revision}: ${input.desiredVersion ?? 'no components'}`, data: JSON.stringify(input.source) })),
      );
    }
    await trx.raw(
      `UPDATE installations AS i SET desired_revision = v.revision, desired_version = v.desired_version, desired_components = v.desired_components,
              release_id = v.release_id, status_updated_at = now(), updated_at = now()
         FROM jsonb_to_recordset(?::jsonb) AS v(id uuid, revision integer, desired_version text, desired_components jsonb, release_id uuid)
        WHERE i.id = v.id`,
      [
        JSON.stringify(
          rows.map(({ input, revision }) => ({ id: input.installationId, revision, desired_version: input.desiredVersion, desired_components: desiredVersions(input.components), release_id: input.releaseId ?? null })),
        ),
      ],
    );
    await markVersionsDeployed(trx, vendorId, rows.flatMap((r) => r.input.versionIds ?? []));
    const agents: { id: string; installation_id: string }[] = await trx('agents').whereIn('installation_id', rows.map((r) => r.input.installationId)).select('id', 'installation_id');
    const agentOf = new Map(agents.map((a) => [a.installation_id, a.id]));
    return new Map(rows.map(({ input, inst, revision }) => [input.installationId, { revision, customerId: inst.customer_id, agentId: agentOf.get(input.installationId) ?? null }]));
  }
}

import type { DesiredComponent, DesiredState } from '@flotilla/protocol';
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

/** The desired component versions an installation row keeps beside `desired_version` (name → version). */
export function desiredVersions(components: readonly DesiredComponent[]): Record<string, string> {
  return Object.fromEntries(components.map((c) => [c.name, c.version]));
}

/**
 * Records the first deploy of application versions (they can then be archived, never deleted).
 * Rows are locked in id order, and only those not marked yet: once deployed, a version costs nothing.
 */
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
   * distinct, gap-free revisions. Undefined when the installation is gone or being uninstalled.
   */
  async append(vendorId: string, installationId: string, input: NewDesiredState, outer?: Knex.Transaction): Promise<NewRevision | undefined> {
    // Inside a caller's transaction (the rollout engine) this is a savepoint of it.
    return (outer ?? this.db).transaction(async (trx) => (await this.appendMany(vendorId, [{ ...input, installationId }], trx)).get(installationId));
  }

  /**
   * `append` for many installations of one vendor in three statements, whatever their number (a
   * rollout wave of 10 000): the installations are locked in id order, then each gets its next
   * revision, its installation event and its row moved to it in one statement. What the inputs
   * share (a wave sends one stage to thousands) travels once as a document; each installation only
   * names its document. Installations that no longer exist, or are being uninstalled, are absent
   * from the result.
   */
  async appendMany(vendorId: string, inputs: readonly (NewDesiredState & { installationId: string })[], trx: Knex.Transaction): Promise<Map<string, NewRevision>> {
    if (inputs.length === 0) return new Map();
    // Every plan below holds whatever the statistics say (a fleet seeded minutes ago has stale ones,
    // and a nested loop that rescans 10 000 inputs per row takes seconds): the lock filters on an
    // array (hashed), and the writes join only inputs whose count the planner knows (unnest).
    const locked: { id: string; desired_revision: number; customer_id: string }[] = await trx('installations')
      .where({ vendor_id: vendorId, lifecycle: 'active' })
      .whereRaw('id = ANY(?::uuid[])', [inputs.map((i) => i.installationId)])
      .orderBy('id')
      .forNoKeyUpdate()
      .select('id', 'desired_revision', 'customer_id');
    const current = new Map(locked.map((l) => [l.id, l]));
    const moving = inputs.filter((i) => current.has(i.installationId));
    if (moving.length === 0) return new Map();
    const { documents, docOf } = shareDocuments(moving);
    const revisionOf = (id: string) => (current.get(id)?.desired_revision ?? 0) + 1;
    const { rows }: { rows: { id: string; agent_id: string | null }[] } = await trx.raw(
      `WITH v AS (SELECT * FROM unnest(?::uuid[], ?::integer[], ?::integer[]) AS v(id, revision, doc)),
            d AS (SELECT (x.ord - 1)::integer AS doc, x.e->'components' AS components, x.e->'desired_components' AS desired_components, x.e->'source' AS source,
                         x.e->>'desired_version' AS desired_version, (x.e->>'release_id')::uuid AS release_id, (x.e->>'created_by')::uuid AS created_by
                    FROM jsonb_array_elements(?::jsonb) WITH ORDINALITY AS x(e, ord)),
            states AS (INSERT INTO desired_states (installation_id, revision, vendor_id, components, source, created_by)
                       SELECT v.id, v.revision, ?, d.components, d.source, d.created_by FROM v JOIN d USING (doc)),
            events AS (INSERT INTO installation_events (vendor_id, installation_id, type, message, data)
                       SELECT ?, v.id, 'deployed', 'revision ' || v.revision || ': ' || coalesce(d.desired_version, 'no components'), d.source FROM v JOIN d USING (doc)),
            moved AS (UPDATE installations AS i
                         SET desired_revision = v.revision, desired_version = d.desired_version, desired_components = d.desired_components,
                             release_id = d.release_id, status_updated_at = now(), updated_at = now()
                        FROM v JOIN d USING (doc) WHERE i.id = v.id)
       SELECT v.id, a.id AS agent_id FROM v LEFT JOIN agents a ON a.installation_id = v.id`,
      [moving.map((i) => i.installationId), moving.map((i) => revisionOf(i.installationId)), docOf, JSON.stringify(documents), vendorId, vendorId],
    );
    await markVersionsDeployed(trx, vendorId, moving.flatMap((i) => i.versionIds ?? []));
    return new Map(rows.map((r) => [r.id, { revision: revisionOf(r.id), customerId: current.get(r.id)?.customer_id ?? '', agentId: r.agent_id }]));
  }
}

/** The documents a batch of new revisions shares (equal content written once), and which one each input takes (by position). */
function shareDocuments(inputs: readonly NewDesiredState[]) {
  const documents: { components: DesiredComponent[]; desired_components: Record<string, string>; source: Record<string, unknown>; desired_version: string | null; release_id: string | null; created_by: string | null }[] = [];
  const indexOf = new Map<string, number>();
  const docOf = inputs.map((input) => {
    const document = { components: input.components, desired_components: desiredVersions(input.components), source: input.source, desired_version: input.desiredVersion, release_id: input.releaseId ?? null, created_by: input.createdBy };
    const key = JSON.stringify(document);
    let doc = indexOf.get(key);
    if (doc === undefined) {
      doc = documents.push(document) - 1;
      indexOf.set(key, doc);
    }
    return doc;
  });
  return { documents, docOf };
}

import type { Knex } from 'knex';
import { columnArrays, unnestOf } from '../infra/typed-arrays.js';
import { ACTIVE_TARGET_STATUSES, FINISHED_TARGET_STATUSES, UNFINISHED_ROLLOUT_STATUSES, isFinishedRolloutStatus, type DesiredComponent, type MaintenanceWindow, type Rollout as RolloutResource, type RolloutStrategy, type TargetBlocker } from '@flotilla/protocol';
import type { Database } from '../infra/index.js';
import type { RolloutStatus, TargetStatus, WaitingFor } from './planner.js';

export interface RolloutRow {
  id: string;
  vendor_id: string;
  release_id: string;
  status: RolloutStatus;
  strategy: RolloutStrategy;
  stage_count: number;
  message: string | null;
  created_at: Date;
  updated_at: Date;
  finished_at: Date | null;
}

/** A required release a target steps through: enough to deploy it and to say so. */
export interface RequiredStepRow {
  releaseId: string;
  version: string;
  stageCount: number;
}

/** A target with the live facts of its installation the planner needs. */
export interface TargetRow {
  rollout_id: string;
  installation_id: string;
  vendor_id: string;
  customer_id: string;
  position: number;
  wave: number;
  status: TargetStatus;
  waiting_for: WaitingFor | null;
  /** Since when it has waited for `waiting_for`. */
  waiting_since: Date | null;
  stage: number;
  stage_revision: number | null;
  stage_sent_at: Date | null;
  base_revision: number | null;
  /** What the installation showed before the rollout's first stage (restored by a full rollback). */
  base_version: string | null;
  base_release_id: string | null;
  /** The required releases it runs before the rollout's release, in order (required-steps.ts). */
  steps: RequiredStepRow[];
  /** The release it is on: 0-based into `steps`; `steps.length` = the rollout's release. */
  step: number;
  approved: boolean;
  approved_for: Date | null;
  finished_at: Date | null;
  message: string | null;
  /** What it waited for at the last step of its rollout (blockers.ts). */
  blocker: TargetBlocker | null;
  customer_name: string;
  /** Components reported not healthy, read only for targets in flight (null otherwise). */
  unhealthy: { name: string; health: string; message?: string | null }[] | null;
  // from installations
  online: boolean;
  last_seen_at: Date | null;
  applied_revision: number;
  /** Some reported component is failed / every one is healthy (computed in SQL: no JSON to parse; false unless a stage is in flight). */
  any_failed: boolean;
  all_healthy: boolean;
  /** A failed component is reported at the version the target's stage revision sent it at (false unless a stage is in flight). */
  stage_version_failed: boolean;
  status_updated_at: Date;
  maintenance_windows: MaintenanceWindow[];
}

/**
 * A read of a rollout's targets as of one statement's snapshot: the rows (all, or those that may
 * have changed since a watermark), how many targets the rollout has, and the watermark to read the
 * next changes from (the oldest transaction still running then: every later change is newer).
 */
export interface TargetRead {
  rows: TargetRow[];
  total: number;
  watermark: string;
}

/** The target columns read (not its bookkeeping timestamps: parsing 10 000 dates is not free). */
const TARGET_COLUMNS = ['rollout_id', 'installation_id', 'vendor_id', 'customer_id', 'position', 'wave', 'status', 'waiting_for', 'waiting_since', 'stage', 'stage_revision', 'stage_sent_at', 'base_revision', 'base_version', 'base_release_id', 'steps', 'step', 'approved', 'approved_for', 'finished_at', 'message', 'blocker'] as const satisfies readonly (keyof TargetRow)[];

/** A target's own columns (what the REST resource shows), without its installation's facts. */
export type TargetOwnRow = Pick<TargetRow, (typeof TARGET_COLUMNS)[number]>;

export type TargetPatch = Partial<Pick<TargetRow, 'status' | 'waiting_for' | 'waiting_since' | 'stage' | 'stage_revision' | 'stage_sent_at' | 'base_revision' | 'base_version' | 'base_release_id' | 'step' | 'approved' | 'finished_at' | 'message' | 'blocker'>>;

/** PostgreSQL types of the patchable target columns (of the arrays `updateTargets` sends). */
const TARGET_COLUMN_TYPES: Record<keyof TargetPatch, string> = {
  status: 'text',
  waiting_for: 'text',
  waiting_since: 'timestamptz',
  stage: 'integer',
  stage_revision: 'integer',
  stage_sent_at: 'timestamptz',
  base_revision: 'integer',
  base_version: 'text',
  base_release_id: 'uuid',
  step: 'integer',
  approved: 'boolean',
  finished_at: 'timestamptz',
  message: 'text',
  blocker: 'jsonb',
};

/** A patch as `updateTargets` sends it: the target's id, then the patched columns. */
type PatchRowColumn = 'installation_id' | keyof TargetPatch;
const PATCH_ROW_TYPES: Record<PatchRowColumn, string> = { installation_id: 'uuid', ...TARGET_COLUMN_TYPES };

export class RolloutRepository {
  constructor(private readonly db: Database) {}

  async create(
    r: { vendorId: string; releaseId: string; strategy: RolloutStrategy; stageCount: number; createdBy: string | null },
    targets: { installationId: string; customerId: string; wave: number; steps: RequiredStepRow[] }[],
  ): Promise<string> {
    return this.db.transaction(async (trx) => {
      const [row] = (await trx('rollouts')
        .insert({ vendor_id: r.vendorId, release_id: r.releaseId, strategy: JSON.stringify(r.strategy), stage_count: r.stageCount, created_by: r.createdBy })
        .returning('id')) as { id: string }[];
      const id = row?.id ?? '';
      // One statement for any number of targets, a typed array per column; position = array order.
      await trx.raw(
        `INSERT INTO rollout_targets (rollout_id, installation_id, vendor_id, customer_id, position, wave, steps)
         SELECT ?, t.installation_id, ?, t.customer_id, t.ord - 1, t.wave, t.steps
           FROM unnest(?::uuid[], ?::uuid[], ?::integer[], ?::jsonb[]) WITH ORDINALITY AS t(installation_id, customer_id, wave, steps, ord)`,
        [id, r.vendorId, targets.map((t) => t.installationId), targets.map((t) => t.customerId), targets.map((t) => t.wave), targets.map((t) => JSON.stringify(t.steps))],
      );
      await trx('rollout_events').insert({ rollout_id: id, type: 'created', message: `${targets.length} targets` });
      return id;
    });
  }

  get(vendorId: string, id: string, trx: Knex | Knex.Transaction = this.db): Promise<RolloutRow | undefined> {
    return trx('rollouts').where({ vendor_id: vendorId, id }).first();
  }

  /** The row lock that serialises advances of one rollout across hub processes. */
  lock(trx: Knex.Transaction, id: string): Promise<RolloutRow | undefined> {
    return trx('rollouts').where({ id }).forUpdate().first();
  }

  list(vendorId: string, customerId: string | null): Promise<RolloutRow[]> {
    const q = this.db('rollouts').where({ vendor_id: vendorId }).orderBy('created_at', 'desc').limit(200);
    if (customerId) q.whereIn('id', this.db('rollout_targets').where({ customer_id: customerId }).select('rollout_id'));
    return q;
  }

  /**
   * The targets as the REST resource shows them: their own columns only. The planner's joined
   * facts (`readTargets`) cost 10 times as much for 10 000 targets, and `POST /rollouts` answers
   * with this read while the first advance runs beside it.
   */
  targets(id: string, trx: Knex | Knex.Transaction = this.db, customerId: string | null = null): Promise<TargetOwnRow[]> {
    const q = trx('rollout_targets as t')
      .where('t.rollout_id', id)
      .orderBy('t.position')
      .select(TARGET_COLUMNS.map((c) => `t.${c}`));
    if (customerId) q.where('t.customer_id', customerId);
    return q;
  }

  private targetQuery(id: string, trx: Knex | Knex.Transaction): Knex.QueryBuilder {
    const inFlight = [...ACTIVE_TARGET_STATUSES];
    return trx('rollout_targets as t')
      .join('installations as i', 'i.id', 't.installation_id')
      .join('customers as c', 'c.id', 't.customer_id')
      .leftJoin('desired_states as d', (j) => j.on('d.installation_id', 't.installation_id').andOn('d.revision', 't.stage_revision'))
      .where('t.rollout_id', id)
      .orderBy('t.position')
      .select(
        ...TARGET_COLUMNS.map((c) => `t.${c}`),
        'i.online',
        'i.last_seen_at',
        'i.applied_revision',
        // A stage's health, only for targets with a stage in flight (the planner reads it of no
        // other): a rollout's first read is 10 000 pending targets, and these walk each
        // installation's components. (knex reads a bare ? as a binding: the jsonpath's is escaped.)
        trx.raw(`CASE WHEN t.status = ANY(?) THEN jsonb_path_exists(i.components, '$[*] \\? (@.health == "failed")') ELSE false END AS any_failed`, [inFlight]),
        trx.raw(`CASE WHEN t.status = ANY(?) THEN NOT jsonb_path_exists(i.components, '$[*] \\? (@.health != "healthy")') ELSE false END AS all_healthy`, [inFlight]),
        trx.raw(
          `CASE WHEN t.status = ANY(?) THEN EXISTS (SELECT 1 FROM jsonb_array_elements(i.components) ic, jsonb_array_elements(d.components) dc
                    WHERE ic->>'health' = 'failed' AND ic->>'name' = dc->>'name' AND ic->>'version' IS NOT DISTINCT FROM dc->>'version') ELSE false END AS stage_version_failed`,
          [inFlight],
        ),
        'i.status_updated_at',
        'i.maintenance_windows',
        'c.name as customer_name',
        trx.raw(`CASE WHEN t.status = ANY(?) THEN (SELECT coalesce(jsonb_agg(x), '[]') FROM jsonb_array_elements(i.components) x WHERE x->>'health' <> 'healthy') END AS unhealthy`, [inFlight]),
      );
  }

  /**
   * The rollout's targets, or with `since` (a watermark of an earlier read) only those whose row,
   * installation or customer a transaction not finished at that read may have written: a row's
   * `xmin` is the transaction that wrote it, and `age` compares it with the watermark without
   * wrapping (both within 2^31 transactions of now: callers read in full after minutes). One
   * statement: the rows, the count and the next watermark share its snapshot. Deleted targets show
   * only in the count (the caller compares).
   */
  async readTargets(id: string, trx: Knex | Knex.Transaction, since: string | null): Promise<TargetRead> {
    const q = this.targetQuery(id, trx).clearOrder();
    if (since !== null) {
      q.whereRaw('(age(t.xmin) <= age(xid(?::xid8)) OR age(i.xmin) <= age(xid(?::xid8)) OR age(c.xmin) <= age(xid(?::xid8)))', [since, since, since]);
    }
    const { rows } = (await trx.raw(
      `WITH s AS (SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS watermark, (SELECT count(*)::int FROM rollout_targets WHERE rollout_id = ?) AS total)
       SELECT s.watermark AS read_watermark, s.total AS read_total, x.* FROM s LEFT JOIN ? AS x ON true ORDER BY x.position`,
      [id, q],
    )) as { rows: (TargetRow & { read_watermark: string; read_total: number })[] };
    const first = rows[0];
    return {
      rows: rows.flatMap(({ read_watermark: _w, read_total: _t, ...row }) => (row.installation_id === null ? [] : [row])),
      total: first?.read_total ?? 0,
      watermark: first?.read_watermark ?? '0',
    };
  }

  /** Targets and finished targets per wave, counted in PostgreSQL (no target rows read). */
  async waveSummary(id: string, trx: Knex | Knex.Transaction = this.db): Promise<RolloutResource['waves']> {
    const rows: { wave: number; total: string; finished: string }[] = await trx('rollout_targets')
      .where({ rollout_id: id })
      .groupBy('wave')
      .orderBy('wave')
      .select('wave', trx.raw('count(*) AS total'), trx.raw('count(*) FILTER (WHERE status = ANY(?)) AS finished', [[...FINISHED_TARGET_STATUSES]]));
    return rows.map((r) => ({ index: r.wave, total: Number(r.total), finished: Number(r.finished) }));
  }

  async updateTarget(trx: Knex.Transaction, rolloutId: string, installationId: string, patch: TargetPatch): Promise<void> {
    await trx('rollout_targets').where({ rollout_id: rolloutId, installation_id: installationId }).update({ ...patch, updated_at: trx.fn.now() });
  }

  /**
   * Applies many target patches in a few statements: patches with the same columns share one
   * `UPDATE … FROM unnest(…)`, so a wave of 10 000 targets is not 10 000 round trips. Returns
   * each target's patch as written (merged).
   */
  async updateTargets(trx: Knex.Transaction, rolloutId: string, patches: readonly { installationId: string; patch: TargetPatch }[]): Promise<Map<string, TargetPatch>> {
    // Patches of one target merge (a later one's columns win): each target is written once.
    const merged = new Map<string, TargetPatch>();
    for (const p of patches) merged.set(p.installationId, { ...merged.get(p.installationId), ...p.patch });
    const groups = new Map<string, { installationId: string; patch: TargetPatch }[]>();
    for (const [installationId, patch] of merged) {
      const p = { installationId, patch };
      const key = Object.keys(p.patch).sort().join(',');
      const group = groups.get(key);
      if (group) group.push(p);
      else groups.set(key, [p]);
    }
    for (const [key, group] of groups) {
      const columns = key.split(',').filter((c): c is keyof TargetPatch => c in TARGET_COLUMN_TYPES);
      if (columns.length === 0) continue;
      // One typed array per column: unnest tells the planner how many patches come
      // (jsonb_to_recordset claims 100, and with the stale statistics of a rollout created a second
      // ago a wrong guess is a nested loop that rescans every patch for every target).
      // (knex's types leave null elements out of arrays; pg sends them as NULL)
      const rows = group.map(({ installationId, patch }) => ({ installation_id: installationId, ...patch }) as Record<PatchRowColumn, unknown>);
      const rowColumns: PatchRowColumn[] = ['installation_id', ...columns];
      await trx.raw(
        `UPDATE rollout_targets AS t SET ${columns.map((c) => `${c} = v.${c}`).join(', ')}, updated_at = now()
           FROM ${unnestOf('v', PATCH_ROW_TYPES, rowColumns)}
          WHERE t.rollout_id = ? AND t.installation_id = v.installation_id`,
        [...columnArrays(rows, rowColumns), rolloutId] as Knex.Value[],
      );
    }
    return merged;
  }

  async events(trx: Knex.Transaction, events: readonly { rolloutId: string; installationId?: string; type: string; stage?: number; revision?: number; message?: string }[]): Promise<void> {
    if (events.length === 0) return;
    // One statement however many (a wave's 10 000), in the given order: ids follow it (the timeline's order).
    await trx.raw(
      `INSERT INTO rollout_events (rollout_id, installation_id, type, stage, revision, message)
       SELECT e.rollout_id, e.installation_id, e.type, e.stage, e.revision, e.message
         FROM ROWS FROM (jsonb_to_recordset(?::jsonb) AS (rollout_id uuid, installation_id uuid, type text, stage integer, revision integer, message text))
              WITH ORDINALITY AS e(rollout_id, installation_id, type, stage, revision, message, ord)
        ORDER BY e.ord`,
      [JSON.stringify(events.map((e) => ({ rollout_id: e.rolloutId, installation_id: e.installationId ?? null, type: e.type, stage: e.stage ?? null, revision: e.revision ?? null, message: e.message ?? null })))],
    );
  }

  /** Components of desired states at given revisions, keyed by installation id. */
  async desiredAtMany(trx: Knex.Transaction, wanted: readonly { installationId: string; revision: number }[]): Promise<Map<string, DesiredComponent[]>> {
    if (wanted.length === 0) return new Map();
    const rows: { installation_id: string; components: DesiredComponent[] }[] = await trx.raw(
      // unnest: the planner knows how many are wanted (see updateTargets).
      `SELECT d.installation_id, d.components FROM desired_states d
         JOIN unnest(?::uuid[], ?::integer[]) AS w(installation_id, revision) ON d.installation_id = w.installation_id AND d.revision = w.revision`,
      [wanted.map((w) => w.installationId), wanted.map((w) => w.revision)],
    ).then((r: { rows: { installation_id: string; components: DesiredComponent[] }[] }) => r.rows);
    return new Map(rows.map((r) => [r.installation_id, r.components]));
  }

  async setStatus(trx: Knex | Knex.Transaction, id: string, status: RolloutStatus, message: string | null): Promise<void> {
    const finished = isFinishedRolloutStatus(status);
    await trx('rollouts').where({ id }).update({ status, message, updated_at: trx.fn.now(), ...(finished ? { finished_at: trx.fn.now() } : {}) });
  }

  async event(trx: Knex | Knex.Transaction, e: { rolloutId: string; installationId?: string; type: string; stage?: number; revision?: number; message?: string }): Promise<void> {
    await trx('rollout_events').insert({ rollout_id: e.rolloutId, installation_id: e.installationId ?? null, type: e.type, stage: e.stage ?? null, revision: e.revision ?? null, message: e.message ?? null });
  }

  /** Oldest first; `after` = the last id a follower has (events are written under the rollout's lock, so ids grow in commit order). */
  async timeline(id: string, after = 0): Promise<{ id: number; installation_id: string | null; type: string; stage: number | null; revision: number | null; message: string | null; at: Date }[]> {
    return this.db('rollout_events').where({ rollout_id: id }).where('id', '>', after).orderBy('id');
  }

  /**
   * An installation being uninstalled leaves the rollouts it has not finished (pending, running or
   * paused): its targets there become `skipped` with `reason`. Returns those rollouts.
   */
  async skipUnfinishedTargetsOf(trx: Knex.Transaction, installationId: string, reason: string): Promise<string[]> {
    const rows: { rollout_id: string }[] = await trx('rollout_targets')
      .where({ installation_id: installationId })
      .whereIn('rollout_id', trx('rollouts').whereIn('status', UNFINISHED_ROLLOUT_STATUSES).select('id'))
      .whereNotIn('status', FINISHED_TARGET_STATUSES)
      .update({ status: 'skipped', waiting_for: null, message: reason, finished_at: trx.fn.now(), updated_at: trx.fn.now() })
      .returning('rollout_id');
    await this.events(trx, rows.map((r) => ({ rolloutId: r.rollout_id, installationId, type: 'skipped', message: reason })));
    return rows.map((r) => r.rollout_id);
  }

  /**
   * An aborted rollout leaves nothing unfinished: targets not started are skipped; those in flight
   * keep what they received and are marked failed, saying where the abort caught them. Returns them.
   */
  async finishTargetsOnAbort(trx: Knex.Transaction, rolloutId: string, stageCount: number): Promise<string[]> {
    const rows: { installation_id: string; status: TargetStatus; message: string }[] = await trx.raw(
      `UPDATE rollout_targets SET
          status = CASE WHEN status IN ('pending', 'waiting') THEN 'skipped' ELSE 'failed' END,
          message = CASE WHEN status IN ('pending', 'waiting') THEN 'not started: the rollout was aborted'
                         WHEN status = 'rolling_back' THEN 'the rollout was aborted while rolling back stage ' || stage || '/' || ?::int
                         ELSE 'the rollout was aborted during stage ' || stage || '/' || ?::int END,
          waiting_for = NULL, blocker = NULL, finished_at = now(), updated_at = now()
        WHERE rollout_id = ? AND NOT (status = ANY(?))
        RETURNING installation_id, status, message`,
      [stageCount, stageCount, rolloutId, [...FINISHED_TARGET_STATUSES]],
    ).then((r: { rows: { installation_id: string; status: TargetStatus; message: string }[] }) => r.rows);
    await this.events(trx, rows.map((r) => ({ rolloutId, installationId: r.installation_id, type: r.status, message: r.message })));
    return rows.map((r) => r.installation_id);
  }

  /** The unfinished rollouts (a paused one still carries rollbacks on) in which some of these installations have not finished. */
  async activeForMany(installationIds: string[]): Promise<string[]> {
    if (installationIds.length === 0) return [];
    const rows: { rollout_id: string }[] = await this.db('rollout_targets as t')
      .join('rollouts as r', 'r.id', 't.rollout_id')
      .whereRaw('t.installation_id = ANY(?::uuid[])', [installationIds])
      .whereIn('r.status', UNFINISHED_ROLLOUT_STATUSES)
      .whereNotIn('t.status', FINISHED_TARGET_STATUSES)
      .distinct('t.rollout_id');
    return rows.map((r) => r.rollout_id);
  }

  async running(): Promise<string[]> {
    return (await this.db('rollouts').whereIn('status', UNFINISHED_ROLLOUT_STATUSES).select('id')).map((r: { id: string }) => r.id);
  }

  async desiredAt(trx: Knex.Transaction, installationId: string, revision: number): Promise<{ components: DesiredComponent[]; source: Record<string, unknown> } | undefined> {
    return trx('desired_states').where({ installation_id: installationId, revision }).first('components', 'source');
  }
}

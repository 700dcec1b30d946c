import type { Knex } from 'knex';
import type { ComponentState, DesiredComponent, MaintenanceWindow, Rollout as RolloutResource, RolloutStrategy } from '@flotilla/protocol';
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
  stage: number;
  stage_revision: number | null;
  stage_sent_at: Date | null;
  base_revision: number | null;
  approved: boolean;
  approved_for: Date | null;
  finished_at: Date | null;
  message: string | null;
  // from installations
  online: boolean;
  last_seen_at: Date | null;
  applied_revision: number;
  components: ComponentState[];
  status_updated_at: Date;
  maintenance_windows: MaintenanceWindow[];
  agent_id: string | null;
}

export type TargetPatch = Partial<Pick<TargetRow, 'status' | 'waiting_for' | 'stage' | 'stage_revision' | 'stage_sent_at' | 'base_revision' | 'approved' | 'finished_at' | 'message'>>;

export class RolloutRepository {
  constructor(private readonly db: Database) {}

  async create(r: { vendorId: string; releaseId: string; strategy: RolloutStrategy; stageCount: number; createdBy: string | null }, targets: { installationId: string; customerId: string; wave: number }[]): Promise<string> {
    return this.db.transaction(async (trx) => {
      const [row] = (await trx('rollouts')
        .insert({ vendor_id: r.vendorId, release_id: r.releaseId, strategy: JSON.stringify(r.strategy), stage_count: r.stageCount, created_by: r.createdBy })
        .returning('id')) as { id: string }[];
      const id = row?.id ?? '';
      for (let i = 0; i < targets.length; i += 1000) {
        await trx('rollout_targets').insert(
          targets.slice(i, i + 1000).map((t, j) => ({ rollout_id: id, installation_id: t.installationId, vendor_id: r.vendorId, customer_id: t.customerId, position: i + j, wave: t.wave })),
        );
      }
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

  targets(id: string, trx: Knex | Knex.Transaction = this.db, customerId: string | null = null): Promise<TargetRow[]> {
    const q = trx('rollout_targets as t')
      .join('installations as i', 'i.id', 't.installation_id')
      .leftJoin('agents as a', 'a.installation_id', 'i.id')
      .where('t.rollout_id', id)
      .orderBy('t.position')
      .select('t.*', 'i.online', 'i.last_seen_at', 'i.applied_revision', 'i.components', 'i.status_updated_at', 'i.maintenance_windows', 'a.id as agent_id');
    if (customerId) q.where('t.customer_id', customerId);
    return q;
  }

  async updateTarget(trx: Knex.Transaction, rolloutId: string, installationId: string, patch: TargetPatch): Promise<void> {
    await trx('rollout_targets').where({ rollout_id: rolloutId, installation_id: installationId }).update({ ...patch, updated_at: trx.fn.now() });
  }

  async setStatus(trx: Knex | Knex.Transaction, id: string, status: RolloutStatus, message: string | null): Promise<void> {
    const finished = status === 'completed' || status === 'failed' || status === 'aborted';
    await trx('rollouts').where({ id }).update({ status, message, updated_at: trx.fn.now(), ...(finished ? { finished_at: trx.fn.now() } : {}) });
  }

  async event(trx: Knex | Knex.Transaction, e: { rolloutId: string; installationId?: string; type: string; stage?: number; revision?: number; message?: string }): Promise<void> {
    await trx('rollout_events').insert({ rollout_id: e.rolloutId, installation_id: e.installationId ?? null, type: e.type, stage: e.stage ?? null, revision: e.revision ?? null, message: e.message ?? null });
  }

  async timeline(id: string): Promise<{ id: number; installation_id: string | null; type: string; stage: number | null; revision: number | null; message: string | null; at: Date }[]> {
    return this.db('rollout_events').where({ rollout_id: id }).orderBy('id');
  }

  /** Rollouts still moving that target an installation (an agent event may advance them). */
  async activeFor(installationId: string): Promise<string[]> {
    const rows: { rollout_id: string }[] = await this.db('rollout_targets as t')
      .join('rollouts as r', 'r.id', 't.rollout_id')
      .where('t.installation_id', installationId)
      .whereIn('r.status', ['pending', 'running'])
      .whereNotIn('t.status', ['succeeded', 'failed', 'rolled_back', 'skipped'])
      .select('t.rollout_id');
    return rows.map((r) => r.rollout_id);
  }

  async running(): Promise<string[]> {
    return (await this.db('rollouts').whereIn('status', ['pending', 'running']).select('id')).map((r: { id: string }) => r.id);
  }

  async desiredAt(trx: Knex.Transaction, installationId: string, revision: number): Promise<{ components: DesiredComponent[]; source: Record<string, unknown> } | undefined> {
    return trx('desired_states').where({ installation_id: installationId, revision }).first('components', 'source');
  }

  toResource(r: RolloutRow, releaseVersion: string, targets: TargetRow[]): RolloutResource {
    const waves = new Map<number, { index: number; total: number; finished: number }>();
    for (const t of targets) {
      const w = waves.get(t.wave) ?? { index: t.wave, total: 0, finished: 0 };
      w.total += 1;
      if (['succeeded', 'failed', 'rolled_back', 'skipped'].includes(t.status)) w.finished += 1;
      waves.set(t.wave, w);
    }
    return {
      id: r.id,
      vendorId: r.vendor_id,
      releaseId: r.release_id,
      releaseVersion,
      status: r.status,
      strategy: r.strategy,
      stageCount: r.stage_count,
      message: r.message,
      waves: [...waves.values()].sort((a, b) => a.index - b.index),
      targets: targets.map(toTarget),
      createdAt: r.created_at.toISOString(),
      updatedAt: r.updated_at.toISOString(),
      finishedAt: r.finished_at?.toISOString() ?? null,
    };
  }
}

export function toTarget(t: TargetRow): RolloutResource['targets'][number] {
  return {
    installationId: t.installation_id,
    customerId: t.customer_id,
    wave: t.wave,
    status: t.status,
    waitingFor: t.waiting_for,
    stage: t.stage,
    approved: t.approved,
    approvedFor: t.approved_for?.toISOString() ?? null,
    message: t.message,
    finishedAt: t.finished_at?.toISOString() ?? null,
  };
}

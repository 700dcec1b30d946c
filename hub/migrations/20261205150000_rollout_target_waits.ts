import type { Knex } from 'knex';

/**
 * Since when a rollout target has waited for its current reason (window, approval, agent): an agent
 * that was never seen has no "offline since", so its offline timeout counts from this and it cannot
 * stall a rollout forever. And what it waits for, explained (the API's TargetBlocker), written by
 * each step of the rollout when it changes.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('rollout_targets', (t) => {
    t.timestamp('waiting_since', { useTz: true }).nullable();
    t.jsonb('blocker').nullable();
  });
  await knex.raw(`UPDATE rollout_targets SET waiting_since = updated_at WHERE status = 'waiting'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('rollout_targets', (t) => {
    t.dropColumn('waiting_since');
    t.dropColumn('blocker');
  });
}

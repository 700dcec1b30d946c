import type { Knex } from 'knex';

/**
 * Since when a rollout target has waited for its current reason (window, approval, agent). An agent
 * that was never seen has no "offline since": its offline timeout counts from this, so it cannot
 * stall a rollout forever; and the portal says how long a target has waited.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('rollout_targets', (t) => {
    t.timestamp('waiting_since', { useTz: true }).nullable();
  });
  await knex.raw(`UPDATE rollout_targets SET waiting_since = updated_at WHERE status = 'waiting'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('rollout_targets', (t) => {
    t.dropColumn('waiting_since');
  });
}

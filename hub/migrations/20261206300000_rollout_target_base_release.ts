import type { Knex } from 'knex';

/**
 * What an installation ran before a rollout touched it, beside `base_revision`: the version label
 * and release it showed. A rollback that reaches stage 1 restores them, so the fleet shows what
 * actually runs again and the customer's updates are counted from that release.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('rollout_targets', (t) => {
    t.text('base_version').nullable();
    t.uuid('base_release_id').nullable().references('releases.id').onDelete('SET NULL');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('rollout_targets', (t) => {
    t.dropColumn('base_version');
    t.dropColumn('base_release_id');
  });
}

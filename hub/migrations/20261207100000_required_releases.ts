import type { Knex } from 'knex';

/**
 * Required releases: a release marked required is stepped through by rollouts (an installation
 * behind it gets it first) and never crossed by a rollback or a deploy of an older release.
 * A rollout target records the required releases it steps through before the rollout's own
 * release (`steps`: [{releaseId, version, stageCount}]) and which of them it is on (`step`,
 * 0-based; `steps.length` = the rollout's release).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('releases', (t) => {
    t.boolean('required').notNullable().defaultTo(false);
  });
  await knex.schema.alterTable('rollout_targets', (t) => {
    t.jsonb('steps').notNullable().defaultTo('[]');
    t.integer('step').notNullable().defaultTo(0);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('rollout_targets', (t) => {
    t.dropColumn('steps');
    t.dropColumn('step');
  });
  await knex.schema.alterTable('releases', (t) => {
    t.dropColumn('required');
  });
}

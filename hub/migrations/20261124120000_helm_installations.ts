import type { Knex } from 'knex';

/** Helm installations: cluster-wide agent rights on request, and per-component values overrides. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('installations', (t) => {
    t.boolean('cluster_scoped').notNullable().defaultTo(false);
    /** {componentName: YAML mapping text}, deep-merged over the version's default values on deploy. */
    t.jsonb('helm_values').notNullable().defaultTo('{}');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('installations', (t) => {
    t.dropColumn('helm_values');
    t.dropColumn('cluster_scoped');
  });
}

import type { Knex } from 'knex';

/**
 * An installation's lifecycle: `uninstalling` while its agent runs the `uninstall` command that
 * `DELETE /installations/:id?uninstall=true` sent (deploys and rollouts refuse it meanwhile); the row is
 * deleted when the agent reports success, and goes back to `active` when it reports failure.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('installations', (t) => {
    t.text('lifecycle').notNullable().defaultTo('active');
  });
  await knex.raw(`ALTER TABLE installations ADD CONSTRAINT installations_lifecycle_check CHECK (lifecycle IN ('active', 'uninstalling'))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('installations', (t) => {
    t.dropColumn('lifecycle');
  });
}

import type { Knex } from 'knex';

/** Audit entries keep their target's name as it was when written (an installation "main (Globex)"). */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('audit_log', (t) => {
    t.text('target_name').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('audit_log', (t) => {
    t.dropColumn('target_name');
  });
}

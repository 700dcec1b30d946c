import type { Knex } from 'knex';

/**
 * Alert rules per vendor and the alerts they raise, one per rule and installation while it fires
 * (a partial unique index keeps it one), kept after they resolve as history.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('alert_rules', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('vendor_id').notNullable().references('vendors.id').onDelete('CASCADE');
    t.text('name').notNullable();
    t.text('kind').notNullable();
    t.integer('threshold').notNullable();
    t.boolean('enabled').notNullable().defaultTo(true);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['vendor_id']);
  });
  await knex.schema.createTable('alerts', (t) => {
    t.bigIncrements('id').primary();
    t.uuid('rule_id').notNullable().references('alert_rules.id').onDelete('CASCADE');
    t.uuid('vendor_id').notNullable().references('vendors.id').onDelete('CASCADE');
    t.uuid('installation_id').notNullable().references('installations.id').onDelete('CASCADE');
    t.text('message').notNullable();
    t.timestamp('fired_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('resolved_at', { useTz: true }).nullable();
    t.index(['vendor_id', 'resolved_at']);
    t.index(['installation_id']);
  });
  await knex.raw('CREATE UNIQUE INDEX alerts_open_unique ON alerts (rule_id, installation_id) WHERE resolved_at IS NULL');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('alerts');
  await knex.schema.dropTable('alert_rules');
}

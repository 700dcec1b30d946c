import type { Knex } from 'knex';

/** Hub processes announce themselves here; stale rows are swept by the maintenance queue. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('hub_nodes', (t) => {
    t.text('id').primary();
    t.text('hostname').notNullable();
    t.integer('pid').notNullable();
    t.text('version').notNullable();
    t.timestamp('started_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_seen_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('hub_nodes');
}

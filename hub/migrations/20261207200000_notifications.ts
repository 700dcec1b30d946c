import type { Knex } from 'knex';

/**
 * E-mail notifications. `notification_preferences`: a user's choices (no row = the protocol's
 * defaults). `notification_queue`: what waits for the user's next digest, one row per event and
 * recipient, due at `due_at` (later than the event for "offline for N minutes"); the digest job
 * takes a user's due rows under a per-user lock, mails them as one message and deletes them in the
 * same transaction, so a restart loses nothing and two hub processes never mail the same rows.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('notification_preferences', (t) => {
    t.uuid('user_id').primary().references('users.id').onDelete('CASCADE');
    t.boolean('email').notNullable();
    t.specificType('events', 'text[]').notNullable();
    t.integer('offline_minutes').notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.createTable('notification_queue', (t) => {
    t.bigIncrements('id').primary();
    t.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.uuid('vendor_id').notNullable().references('vendors.id').onDelete('CASCADE');
    t.text('event').notNullable();
    t.uuid('installation_id').nullable().references('installations.id').onDelete('CASCADE');
    t.text('line').notNullable();
    t.timestamp('at', { useTz: true }).notNullable();
    t.timestamp('due_at', { useTz: true }).notNullable();
    t.index(['due_at']);
    t.index(['user_id', 'due_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('notification_queue');
  await knex.schema.dropTable('notification_preferences');
}

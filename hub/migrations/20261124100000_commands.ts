import type { Knex } from 'knex';

/**
 * Commands to agents (redeploy, restart, rollback, collect-logs, self-update): PostgreSQL holds each
 * command's state, so a command survives hub restarts and is re-sent when its agent reconnects.
 * Log lines collected by `collect-logs` are kept per command in `command_logs`.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('commands', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('vendor_id').notNullable().references('vendors.id').onDelete('CASCADE');
    t.uuid('installation_id').notNullable().references('installations.id').onDelete('CASCADE');
    t.uuid('customer_id').notNullable();
    t.text('type').notNullable();
    /** What the agent receives besides id and type: targets, image, agentVersion, lines. */
    t.jsonb('payload').notNullable().defaultTo('{}');
    t.text('status').notNullable().defaultTo('pending');
    t.text('message').nullable();
    t.uuid('created_by').nullable().references('users.id').onDelete('SET NULL');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('finished_at', { useTz: true }).nullable();
    t.index(['installation_id', 'created_at']);
  });
  // Hellos and polls look up the unfinished commands of one installation.
  await knex.raw(`CREATE INDEX commands_unfinished ON commands (installation_id, created_at) WHERE status IN ('pending', 'delivered', 'running')`);

  await knex.schema.createTable('command_logs', (t) => {
    t.bigIncrements('id');
    t.uuid('command_id').notNullable().references('commands.id').onDelete('CASCADE');
    t.text('component').nullable();
    t.jsonb('lines').notNullable();
    t.integer('line_count').notNullable();
    t.boolean('done').notNullable().defaultTo(false);
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['command_id', 'id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('command_logs');
  await knex.schema.dropTable('commands');
}

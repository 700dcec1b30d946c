import type { Knex } from 'knex';

/** Rollouts, their targets and timeline, and per-installation maintenance windows. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('installations', (t) => {
    t.jsonb('maintenance_windows').notNullable().defaultTo('[]');
  });

  await knex.schema.createTable('rollouts', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('vendor_id').notNullable().references('vendors.id').onDelete('CASCADE');
    t.uuid('release_id').notNullable().references('releases.id').onDelete('RESTRICT');
    t.text('status').notNullable().defaultTo('pending');
    t.jsonb('strategy').notNullable();
    t.integer('stage_count').notNullable();
    t.text('message').nullable();
    t.uuid('created_by').nullable().references('users.id').onDelete('SET NULL');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('finished_at', { useTz: true }).nullable();
    t.index(['vendor_id', 'created_at']);
  });

  await knex.schema.createTable('rollout_targets', (t) => {
    t.uuid('rollout_id').notNullable().references('rollouts.id').onDelete('CASCADE');
    t.uuid('installation_id').notNullable().references('installations.id').onDelete('CASCADE');
    t.uuid('vendor_id').notNullable();
    t.uuid('customer_id').notNullable();
    t.integer('position').notNullable();
    t.integer('wave').notNullable();
    t.text('status').notNullable().defaultTo('pending');
    t.text('waiting_for').nullable();
    t.integer('stage').notNullable().defaultTo(0);
    /** Desired-state revision that carried the stage in flight. */
    t.integer('stage_revision').nullable();
    t.timestamp('stage_sent_at', { useTz: true }).nullable();
    /** Desired revision before the rollout touched the installation: what rollback returns to. */
    t.integer('base_revision').nullable();
    t.boolean('approved').notNullable().defaultTo(false);
    t.timestamp('approved_at', { useTz: true }).nullable();
    /** A customer may approve for later: the update starts no earlier than this. */
    t.timestamp('approved_for', { useTz: true }).nullable();
    t.timestamp('finished_at', { useTz: true }).nullable();
    t.text('message').nullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['rollout_id', 'installation_id']);
    t.index(['installation_id', 'status']);
  });

  await knex.schema.createTable('rollout_events', (t) => {
    t.bigIncrements('id');
    t.uuid('rollout_id').notNullable().references('rollouts.id').onDelete('CASCADE');
    t.uuid('installation_id').nullable();
    t.text('type').notNullable();
    t.integer('stage').nullable();
    t.integer('revision').nullable();
    t.text('message').nullable();
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['rollout_id', 'id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('rollout_events');
  await knex.schema.dropTable('rollout_targets');
  await knex.schema.dropTable('rollouts');
  await knex.schema.alterTable('installations', (t) => t.dropColumn('maintenance_windows'));
}

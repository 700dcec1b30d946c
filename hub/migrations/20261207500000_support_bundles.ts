import type { Knex } from 'knex';

/**
 * Support bundles: one row per bundle (who asked, who approved, status, size, digest, manifest) and
 * its archive in chunks as the agent sent them (bytea, in order), deleted with the bundle. Customers
 * may require their approval before a bundle is collected.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('support_bundles', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('vendor_id').notNullable().references('vendors.id').onDelete('CASCADE');
    t.uuid('customer_id').notNullable();
    t.uuid('installation_id').notNullable().references('installations.id').onDelete('CASCADE');
    t.text('status').notNullable();
    t.text('message').nullable();
    t.integer('log_lines').notNullable();
    t.bigInteger('bytes').notNullable().defaultTo(0);
    /** Chunks stored so far (the next one expected has this seq). */
    t.integer('chunks').notNullable().defaultTo(0);
    t.text('sha256').nullable();
    t.jsonb('manifest').nullable();
    t.uuid('requested_by').nullable().references('users.id').onDelete('SET NULL');
    t.text('requested_by_email').nullable();
    t.boolean('requested_by_customer').notNullable();
    t.uuid('decided_by').nullable().references('users.id').onDelete('SET NULL');
    t.text('decided_by_email').nullable();
    t.timestamp('decided_at', { useTz: true }).nullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    /** Last sign of life from the agent (a collecting bundle silent for too long fails). */
    t.timestamp('activity_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('completed_at', { useTz: true }).nullable();
    t.index(['installation_id', 'created_at']);
    t.index(['created_at']);
  });
  await knex.raw(`CREATE INDEX support_bundles_collecting ON support_bundles (activity_at) WHERE status = 'collecting'`);
  await knex.schema.createTable('support_bundle_chunks', (t) => {
    t.uuid('bundle_id').notNullable().references('support_bundles.id').onDelete('CASCADE');
    t.integer('seq').notNullable();
    t.binary('data').notNullable();
    t.primary(['bundle_id', 'seq']);
  });
  await knex.schema.alterTable('customers', (t) => {
    t.boolean('support_bundle_approval').notNullable().defaultTo(false);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('customers', (t) => {
    t.dropColumn('support_bundle_approval');
  });
  await knex.schema.dropTable('support_bundle_chunks');
  await knex.schema.dropTable('support_bundles');
}

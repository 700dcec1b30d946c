import type { Knex } from 'knex';

/** Release tracks (products), releases with stages and checklist, and customer entitlements. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('tracks', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('vendor_id').notNullable().references('vendors.id').onDelete('CASCADE');
    t.text('name').notNullable();
    t.text('description').nullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['vendor_id', 'name']);
  });

  await knex.schema.createTable('track_applications', (t) => {
    t.uuid('track_id').notNullable().references('tracks.id').onDelete('CASCADE');
    t.uuid('application_id').notNullable().references('applications.id').onDelete('RESTRICT');
    t.integer('position').notNullable();
    t.primary(['track_id', 'application_id']);
  });

  await knex.schema.createTable('releases', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('vendor_id').notNullable().references('vendors.id').onDelete('CASCADE');
    t.uuid('track_id').notNullable().references('tracks.id').onDelete('CASCADE');
    t.text('version').notNullable();
    t.text('name').nullable();
    t.text('notes').nullable();
    t.text('status').notNullable().defaultTo('draft');
    t.text('deployment').notNullable().defaultTo('none');
    t.jsonb('stages').notNullable().defaultTo('[]');
    t.jsonb('checklist').notNullable().defaultTo('[]');
    t.timestamp('locked_at', { useTz: true }).nullable();
    t.timestamp('first_deployed_at', { useTz: true }).nullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['track_id', 'version']);
  });

  await knex.schema.alterTable('installations', (t) => {
    t.foreign('track_id').references('tracks.id').onDelete('RESTRICT');
    t.uuid('release_id').nullable().references('releases.id').onDelete('SET NULL');
  });

  await knex.schema.createTable('entitlements', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('vendor_id').notNullable().references('vendors.id').onDelete('CASCADE');
    t.uuid('customer_id').notNullable().references('customers.id').onDelete('CASCADE');
    t.uuid('track_id').notNullable().references('tracks.id').onDelete('CASCADE');
    t.text('version_range').nullable();
    t.timestamp('expires_at', { useTz: true }).nullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['customer_id', 'track_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('entitlements');
  await knex.schema.alterTable('installations', (t) => {
    t.dropColumn('release_id');
    t.dropForeign(['track_id']);
  });
  await knex.schema.dropTable('releases');
  await knex.schema.dropTable('track_applications');
  await knex.schema.dropTable('tracks');
}

import type { Knex } from 'knex';

/**
 * Signed licenses. Each vendor has one Ed25519 key pair, made on first use; the private key is a
 * PKCS#8 PEM, encrypted with LICENSE_KEY_SECRET when the hub has one (`encrypted`). Each customer has
 * at most one active license; a replaced or revoked one stays for the record.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('license_keys', (t) => {
    t.uuid('vendor_id').primary().references('vendors.id').onDelete('CASCADE');
    t.text('public_key').notNullable();
    t.text('private_key').notNullable();
    t.boolean('encrypted').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.createTable('licenses', (t) => {
    t.uuid('id').primary();
    t.uuid('vendor_id').notNullable().references('vendors.id').onDelete('CASCADE');
    t.uuid('customer_id').notNullable().references('customers.id').onDelete('CASCADE');
    t.text('status').notNullable().defaultTo('active');
    t.uuid('replaced_by').nullable();
    t.text('on_expiry').notNullable();
    t.timestamp('expires_at', { useTz: true }).nullable();
    t.integer('max_installations').nullable();
    t.jsonb('custom_fields').notNullable();
    t.jsonb('entitlements').notNullable();
    t.text('token').notNullable();
    t.timestamp('issued_at', { useTz: true }).notNullable();
    t.timestamp('revoked_at', { useTz: true }).nullable();
    t.index(['vendor_id', 'customer_id', 'issued_at']);
  });
  await knex.raw(`CREATE UNIQUE INDEX licenses_one_active ON licenses (customer_id) WHERE status = 'active'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('licenses');
  await knex.schema.dropTable('license_keys');
}

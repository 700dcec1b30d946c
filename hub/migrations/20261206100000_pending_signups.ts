import type { Knex } from 'knex';

/**
 * Sign-ups waiting for their address to be confirmed (hubs with SMTP): the account is created only
 * from the link mailed to the address, so the answer to a sign-up never tells whether the address
 * already has an account. Only the token's SHA-256 is stored.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('pending_signups', (t) => {
    t.text('token_hash').primary();
    t.text('email').notNullable();
    t.text('name').notNullable();
    t.text('vendor_name').notNullable();
    t.text('password_hash').notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['expires_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('pending_signups');
}

import type { Knex } from 'knex';

/** API tokens, invites and the audit log. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('api_tokens', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.uuid('vendor_id').notNullable().references('vendors.id').onDelete('CASCADE');
    t.uuid('customer_id').nullable().references('customers.id').onDelete('CASCADE');
    t.text('role').notNullable();
    t.text('name').notNullable();
    t.text('token_hash').notNullable().unique(); // SHA-256 hex of the token
    t.text('prefix').notNullable(); // first characters, to recognise a token in lists
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true }).nullable();
    t.timestamp('revoked_at', { useTz: true }).nullable();
    t.timestamp('last_used_at', { useTz: true }).nullable();
    t.index(['user_id']);
  });

  await knex.schema.createTable('invites', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('token_hash').notNullable().unique();
    t.uuid('vendor_id').notNullable().references('vendors.id').onDelete('CASCADE');
    t.uuid('customer_id').nullable().references('customers.id').onDelete('CASCADE');
    t.text('email').notNullable();
    t.text('role').notNullable();
    t.uuid('invited_by').nullable().references('users.id').onDelete('SET NULL');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('accepted_at', { useTz: true }).nullable();
    t.timestamp('revoked_at', { useTz: true }).nullable();
    t.index(['vendor_id', 'created_at']);
  });

  await knex.schema.createTable('audit_log', (t) => {
    t.bigIncrements('id');
    t.uuid('vendor_id').notNullable().references('vendors.id').onDelete('CASCADE');
    t.uuid('customer_id').nullable();
    t.uuid('actor_user_id').nullable();
    t.uuid('actor_token_id').nullable();
    t.text('actor_email').nullable();
    t.text('action').notNullable();
    t.text('target_type').nullable();
    t.text('target_id').nullable();
    t.text('ip').nullable();
    t.jsonb('details').nullable();
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['vendor_id', 'at']);
    t.index(['vendor_id', 'action']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('audit_log');
  await knex.schema.dropTable('invites');
  await knex.schema.dropTable('api_tokens');
}

import type { Knex } from 'knex';

/** The tables whose rows are the domain's happenings; the event outbox reads them in commit order. */
export const EVENT_SOURCE_TABLES = ['installation_events', 'rollout_events', 'audit_log'] as const;

/**
 * Outbound webhooks: endpoints (per vendor, or per customer organisation), one delivery per message
 * and endpoint, and the outbox cursor. Each event source row records the transaction that wrote it
 * (`xid`, 64-bit): the outbox reads only transactions older than every one still running, so a
 * row committed late is never skipped (ids alone would be, see event-outbox.ts).
 */
export async function up(knex: Knex): Promise<void> {
  for (const table of EVENT_SOURCE_TABLES) {
    await knex.raw(`ALTER TABLE ?? ADD COLUMN xid xid8 NOT NULL DEFAULT pg_current_xact_id()`, [table]);
    await knex.raw(`CREATE INDEX ?? ON ?? (xid, id)`, [`${table}_xid_idx`, table]);
  }
  await knex.schema.createTable('event_outbox_cursors', (t) => {
    t.text('source').primary();
    t.specificType('xid', 'xid8').notNullable();
    t.bigInteger('id').notNullable();
  });
  // Events start now: rows written before (all carry this transaction's xid) are history, not news.
  await knex.raw(`INSERT INTO event_outbox_cursors (source, xid, id) SELECT s, (pg_current_xact_id()::text::bigint + 1)::text::xid8, 0 FROM unnest(?::text[]) AS s`, [[...EVENT_SOURCE_TABLES]]);
  await knex.schema.createTable('webhook_endpoints', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('vendor_id').notNullable().references('vendors.id').onDelete('CASCADE');
    t.uuid('customer_id').nullable().references('customers.id').onDelete('CASCADE');
    t.text('url').notNullable();
    t.text('description').notNullable().defaultTo('');
    t.specificType('events', 'text[]').notNullable().defaultTo('{}');
    t.boolean('enabled').notNullable().defaultTo(true);
    t.text('disabled_reason').nullable();
    t.text('secret').notNullable();
    t.text('previous_secret').nullable();
    t.timestamp('previous_secret_expires_at', { useTz: true }).nullable();
    /** First failed attempt since the last success: an endpoint failing for long is disabled. */
    t.timestamp('failing_since', { useTz: true }).nullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['vendor_id', 'customer_id']);
  });
  await knex.schema.createTable('webhook_deliveries', (t) => {
    t.bigIncrements('id').primary();
    t.uuid('endpoint_id').notNullable().references('webhook_endpoints.id').onDelete('CASCADE');
    t.text('message_id').notNullable();
    t.text('event_type').notNullable();
    t.jsonb('payload').notNullable();
    t.text('status').notNullable().defaultTo('pending');
    t.integer('attempts').notNullable().defaultTo(0);
    t.integer('response_status').nullable();
    t.text('response_excerpt').nullable();
    t.text('error').nullable();
    t.integer('duration_ms').nullable();
    t.timestamp('next_attempt_at', { useTz: true }).nullable();
    t.timestamp('last_attempt_at', { useTz: true }).nullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['endpoint_id', 'id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('webhook_deliveries');
  await knex.schema.dropTable('webhook_endpoints');
  await knex.schema.dropTable('event_outbox_cursors');
  for (const table of EVENT_SOURCE_TABLES) await knex.raw(`ALTER TABLE ?? DROP COLUMN xid`, [table]);
}

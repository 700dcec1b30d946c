import type { Knex } from 'knex';

/**
 * One delivery per message and endpoint (Standard Webhooks: the message id is what receivers
 * deduplicate by; we should not make them). The event outbox is at least once, so an event read
 * twice must not become a second delivery: inserts skip a (endpoint, message) that exists. Older
 * duplicates are folded into the earliest row first.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    DELETE FROM webhook_deliveries d
    USING webhook_deliveries e
    WHERE d.endpoint_id = e.endpoint_id AND d.message_id = e.message_id AND d.id > e.id`);
  await knex.raw(`CREATE UNIQUE INDEX webhook_deliveries_once ON webhook_deliveries (endpoint_id, message_id)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX webhook_deliveries_once');
}

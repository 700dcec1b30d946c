import type { Knex } from 'knex';

/**
 * Housekeeping of the delivery log: finding deliveries that were never attempted (a partial index:
 * few rows are pending at any time) and purging old ones by age.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`CREATE INDEX webhook_deliveries_unattempted ON webhook_deliveries (id) WHERE status = 'pending' AND attempts = 0`);
  await knex.raw(`CREATE INDEX webhook_deliveries_created_at ON webhook_deliveries (created_at)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX webhook_deliveries_created_at');
  await knex.raw('DROP INDEX webhook_deliveries_unattempted');
}

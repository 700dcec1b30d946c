import type { Knex } from 'knex';

/**
 * Daily uptime roll-ups: the sums of each UTC day's hourly roll-ups, rewritten by the roll-up job
 * whenever hours of the day are rolled up (the row of the current day covers the hours rolled up so
 * far). The 7 d and 30 d bars and totals read these: 30 rows per installation, not 720.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('uptime_daily', (t) => {
    t.uuid('installation_id').notNullable().references('installations.id').onDelete('CASCADE');
    t.uuid('vendor_id').notNullable();
    /** Start of the UTC day. */
    t.timestamp('day', { useTz: true }).notNullable();
    t.integer('elapsed_ms').notNullable();
    t.integer('connected_ms').notNullable();
    t.integer('up_ms').notNullable();
    t.integer('incidents').notNullable();
    t.primary(['installation_id', 'day']);
    t.index(['day']); // retention purge
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('uptime_daily');
}

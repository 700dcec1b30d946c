import type { Knex } from 'knex';

/**
 * Hourly uptime roll-ups (filled by the `uptime-rollup` maintenance job) and the indexes that let
 * the job and the live tail read only the sessions and health changes overlapping a recent span.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('uptime_hourly', (t) => {
    t.uuid('installation_id').notNullable().references('installations.id').onDelete('CASCADE');
    // Scopes reads by vendor like every tenant table; no foreign key of its own (the installation's
    // cascades), so the roll-up's bulk upserts check one key per row, not two.
    t.uuid('vendor_id').notNullable();
    /** Start of the UTC hour. */
    t.timestamp('hour', { useTz: true }).notNullable();
    /** Part of the hour the installation existed. */
    t.integer('elapsed_ms').notNullable();
    t.integer('connected_ms').notNullable();
    /** Connected and healthy. */
    t.integer('up_ms').notNullable();
    /** Disconnections and turns to an unhealthy state that began in the hour. */
    t.integer('incidents').notNullable();
    t.primary(['installation_id', 'hour']);
    t.index(['hour']); // retention purge
  });
  // One row: every hour before `rolled_until` is rolled up for every installation.
  await knex.schema.createTable('uptime_rollup_state', (t) => {
    t.smallint('id').primary().checkIn(['1']);
    t.timestamp('rolled_until', { useTz: true }).notNullable();
  });
  // Sessions overlapping [from, to) of some installations: a range scan per installation over the
  // sessions still open or closed since `from`, not over its whole history.
  await knex.raw(`CREATE INDEX agent_sessions_installation_until_idx ON agent_sessions (installation_id, (COALESCE(disconnected_at, 'infinity'::timestamptz)))`);
  // The health in force at a time (the last change before it), without walking other events.
  await knex.raw(`CREATE INDEX installation_events_health_idx ON installation_events (installation_id, at) WHERE type = 'health'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX installation_events_health_idx');
  await knex.raw('DROP INDEX agent_sessions_installation_until_idx');
  await knex.schema.dropTable('uptime_rollup_state');
  await knex.schema.dropTable('uptime_hourly');
}

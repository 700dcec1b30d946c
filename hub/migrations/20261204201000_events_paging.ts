import type { Knex } from 'knex';

/**
 * The events timeline pages newest first on the event id (`?before=<id>`): an index on
 * (installation_id, id) serves it. It replaces (installation_id, at), which nothing reads any more
 * (uptime reads health changes through installation_events_health_idx), so writes cost the same.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('installation_events', (t) => {
    t.index(['installation_id', 'id']);
    t.dropIndex(['installation_id', 'at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('installation_events', (t) => {
    t.index(['installation_id', 'at']);
    t.dropIndex(['installation_id', 'id']);
  });
}

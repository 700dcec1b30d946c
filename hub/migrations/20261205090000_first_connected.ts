import type { Knex } from 'knex';

/**
 * When an installation's agent first connected: uptime counts from then (before it, the installation
 * was being set up, not down). Set by the statements that open agent sessions; backfilled from them.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('installations', (t) => {
    t.timestamp('first_connected_at', { useTz: true }).nullable();
  });
  await knex.raw(`UPDATE installations i SET first_connected_at = s.first FROM (SELECT installation_id, min(connected_at) AS first FROM agent_sessions GROUP BY installation_id) s WHERE s.installation_id = i.id`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('installations', (t) => {
    t.dropColumn('first_connected_at');
  });
}

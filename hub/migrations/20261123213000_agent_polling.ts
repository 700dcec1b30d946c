import type { Knex } from 'knex';

/**
 * HTTP polling sessions: an agent that cannot keep a websocket polls `GET /agent/state`; its session
 * stays open while polls keep arriving and is closed by a sweep once `poll_expires_at` has passed.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('agent_sessions', (t) => {
    t.timestamp('poll_expires_at', { useTz: true }).nullable();
  });
  // One open polling session per agent, so concurrent polls cannot open two.
  await knex.raw(`CREATE UNIQUE INDEX agent_sessions_open_poll ON agent_sessions (agent_id) WHERE poll_expires_at IS NOT NULL AND disconnected_at IS NULL`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS agent_sessions_open_poll');
  await knex.schema.alterTable('agent_sessions', (t) => {
    t.dropColumn('poll_expires_at');
  });
}

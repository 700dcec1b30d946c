import type { Knex } from 'knex';

/**
 * Open sessions by agent: every connect batch asks which other hub processes hold an open session
 * of its agents (agent-repository `openSessions`). Without this index that read went through every
 * open session of the fleet, once per batch of a connect storm.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX agent_sessions_open_by_agent ON agent_sessions (agent_id) WHERE disconnected_at IS NULL');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX agent_sessions_open_by_agent');
}

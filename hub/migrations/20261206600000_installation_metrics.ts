import type { Knex } from 'knex';

/**
 * Resource usage sent by agents (StatusReport.usage). One row per installation, resolution,
 * series and time: `component` '' is the host, otherwise a component's name. `step_seconds` 0 is
 * a raw sample (kept 24 h), 300 and 3600 are roll-ups (averages; restarts: the highest count seen),
 * kept 7 d and 90 d. `unavailable` (host rows) says why component figures are missing.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('installation_metrics', (t) => {
    t.uuid('installation_id').notNullable().references('installations.id').onDelete('CASCADE');
    t.integer('step_seconds').notNullable();
    t.text('component').notNullable();
    t.timestamp('at', { useTz: true }).notNullable();
    t.double('cpu_percent').notNullable();
    t.bigInteger('memory_bytes').notNullable();
    t.bigInteger('memory_total_bytes').nullable();
    t.bigInteger('disk_used_bytes').nullable();
    t.bigInteger('disk_total_bytes').nullable();
    t.integer('restarts').nullable();
    t.text('unavailable').nullable();
    t.primary(['installation_id', 'step_seconds', 'component', 'at']);
  });
  // Retention deletes and roll-ups scan one resolution by time.
  await knex.raw('CREATE INDEX installation_metrics_step_at ON installation_metrics (step_seconds, at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('installation_metrics');
}

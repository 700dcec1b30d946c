import type { Knex } from 'knex';

/**
 * Each installation keeps its current desired state's component versions (name → version), written
 * with `desired_version` at every deploy, so a status compares what runs with what is desired per
 * component in memory, without a query per installation.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('installations', (t) => {
    t.jsonb('desired_components').notNullable().defaultTo('{}');
  });
  await knex.raw(`
    UPDATE installations i SET desired_components = d.versions
      FROM (SELECT ds.installation_id, jsonb_object_agg(c->>'name', c->>'version') AS versions
              FROM desired_states ds
              JOIN installations x ON x.id = ds.installation_id AND x.desired_revision = ds.revision
              CROSS JOIN LATERAL jsonb_array_elements(ds.components) c
             GROUP BY ds.installation_id) d
     WHERE i.id = d.installation_id`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('installations', (t) => {
    t.dropColumn('desired_components');
  });
}

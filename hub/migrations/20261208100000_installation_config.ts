import type { Knex } from 'knex';

/**
 * Per-installation configuration, per component: environment values, secrets (sealed with the
 * secret box, never stored plain when a key is configured) and the helm values override. The helm
 * overrides that lived in `installations.helm_values` move here (data included), and that column goes.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('installation_config', (t) => {
    t.uuid('installation_id').notNullable().references('id').inTable('installations').onDelete('CASCADE');
    t.uuid('vendor_id').notNullable();
    /** The desired component's name (componentName of its application). */
    t.text('component').notNullable();
    /** {NAME: value}: plain environment values. */
    t.jsonb('env').notNullable().defaultTo('{}');
    /** {NAME: sealed value}: opened only when a desired state is delivered to the agent. */
    t.jsonb('secrets').notNullable().defaultTo('{}');
    /** Helm: a YAML mapping deep-merged over the version's default values; null: none. */
    t.text('helm_values').nullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['installation_id', 'component']);
  });
  await knex.raw(
    `INSERT INTO installation_config (installation_id, vendor_id, component, helm_values)
     SELECT i.id, i.vendor_id, v.key, v.value FROM installations i, jsonb_each_text(i.helm_values) AS v(key, value)`,
  );
  await knex.schema.alterTable('installations', (t) => {
    t.dropColumn('helm_values');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('installations', (t) => {
    t.jsonb('helm_values').notNullable().defaultTo('{}');
  });
  await knex.raw(
    `UPDATE installations i SET helm_values = c.values
       FROM (SELECT installation_id, jsonb_object_agg(component, helm_values) AS values FROM installation_config WHERE helm_values IS NOT NULL GROUP BY installation_id) c
      WHERE c.installation_id = i.id`,
  );
  await knex.schema.dropTable('installation_config');
}

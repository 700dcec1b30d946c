import type { Knex } from 'knex';

/**
 * Application versions can be archived (hidden from new releases and direct deploys, kept for
 * history), and remember when they were first deployed: a version ever deployed, or pinned by a
 * release, can be archived but never deleted.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('application_versions', (t) => {
    t.timestamp('archived_at', { useTz: true }).nullable();
    t.timestamp('first_deployed_at', { useTz: true }).nullable();
  });
  // Versions already deployed: directly (the desired state's source names the version), or as part
  // of a release that reached an installation.
  await knex.raw(`
    UPDATE application_versions v SET first_deployed_at = d.first
      FROM (SELECT (source->>'versionId')::uuid AS version_id, min(created_at) AS first FROM desired_states
             WHERE source->>'versionId' IS NOT NULL GROUP BY 1) d
     WHERE v.id = d.version_id`);
  await knex.raw(`
    UPDATE application_versions v SET first_deployed_at = COALESCE(v.first_deployed_at, d.first)
      FROM (SELECT (c->>'versionId')::uuid AS version_id, min(ds.created_at) AS first
              FROM desired_states ds
              JOIN releases r ON r.id::text = ds.source->>'releaseId'
              CROSS JOIN LATERAL jsonb_array_elements(r.stages) s
              CROSS JOIN LATERAL jsonb_array_elements(s) c
             WHERE c->>'versionId' IS NOT NULL
             GROUP BY 1) d
     WHERE v.id = d.version_id`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('application_versions', (t) => {
    t.dropColumn('first_deployed_at');
    t.dropColumn('archived_at');
  });
}

import type { Knex } from 'knex';

/**
 * Tenancy, resources, agents and their history. Every tenant-owned table carries `vendor_id`, so
 * every query can be scoped by vendor in the repository layer.
 */
export async function up(knex: Knex): Promise<void> {
  const id = (t: Knex.CreateTableBuilder) => t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
  const timestamps = (t: Knex.CreateTableBuilder) => {
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  };
  const vendorRef = (t: Knex.CreateTableBuilder) => t.uuid('vendor_id').notNullable().references('vendors.id').onDelete('CASCADE');

  await knex.schema.createTable('vendors', (t) => {
    id(t);
    t.text('name').notNullable();
    timestamps(t);
  });

  await knex.schema.createTable('users', (t) => {
    id(t);
    t.text('email').notNullable().unique();
    t.text('name').notNullable();
    t.text('password_hash').notNullable();
    timestamps(t);
  });

  await knex.schema.createTable('customers', (t) => {
    id(t);
    vendorRef(t);
    t.text('name').notNullable();
    timestamps(t);
    t.unique(['vendor_id', 'name']);
  });

  await knex.schema.createTable('memberships', (t) => {
    id(t);
    t.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE');
    vendorRef(t);
    t.uuid('customer_id').nullable().references('customers.id').onDelete('CASCADE');
    t.text('role').notNullable();
    timestamps(t);
    t.index(['user_id']);
  });
  // One membership per user per organisation (NULL customer = the vendor itself).
  await knex.raw(`CREATE UNIQUE INDEX memberships_org_unique ON memberships (user_id, vendor_id, COALESCE(customer_id, '00000000-0000-0000-0000-000000000000'))`);

  await knex.schema.createTable('sessions', (t) => {
    t.text('id').primary(); // SHA-256 of the cookie token
    t.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('revoked_at', { useTz: true }).nullable();
    t.text('ip').nullable();
    t.text('user_agent').nullable();
    t.index(['user_id']);
  });

  await knex.schema.createTable('applications', (t) => {
    id(t);
    vendorRef(t);
    t.text('name').notNullable();
    t.text('kind').notNullable();
    t.text('description').nullable();
    timestamps(t);
    t.unique(['vendor_id', 'name']);
  });

  await knex.schema.createTable('application_versions', (t) => {
    id(t);
    vendorRef(t);
    t.uuid('application_id').notNullable().references('applications.id').onDelete('CASCADE');
    t.text('version').notNullable();
    t.jsonb('compose').nullable();
    t.jsonb('helm').nullable();
    t.text('notes').nullable();
    timestamps(t);
    t.unique(['application_id', 'version']);
  });

  await knex.schema.createTable('installations', (t) => {
    id(t);
    vendorRef(t);
    t.uuid('customer_id').notNullable().references('customers.id').onDelete('RESTRICT');
    t.text('name').notNullable();
    t.text('environment').notNullable();
    t.text('agent_kind').notNullable();
    t.uuid('track_id').nullable();
    // Desired side (owned by the hub)
    t.integer('desired_revision').notNullable().defaultTo(0);
    t.text('desired_version').nullable();
    // Observed side (reported by the agent)
    t.integer('applied_revision').notNullable().defaultTo(0);
    t.text('running_version').nullable();
    t.text('health').notNullable().defaultTo('unknown');
    t.timestamp('health_since', { useTz: true }).nullable();
    t.jsonb('components').notNullable().defaultTo('[]');
    t.boolean('online').notNullable().defaultTo(false);
    t.timestamp('last_seen_at', { useTz: true }).nullable();
    t.timestamp('status_updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    timestamps(t);
    t.unique(['customer_id', 'name', 'environment']);
    t.index(['vendor_id', 'created_at']);
  });

  await knex.schema.createTable('desired_states', (t) => {
    t.uuid('installation_id').notNullable().references('installations.id').onDelete('CASCADE');
    t.integer('revision').notNullable();
    vendorRef(t);
    t.jsonb('components').notNullable();
    t.jsonb('source').notNullable(); // what produced it: {versionId} | {releaseId} | …
    t.uuid('created_by').nullable().references('users.id').onDelete('SET NULL');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['installation_id', 'revision']);
  });

  await knex.schema.createTable('agents', (t) => {
    t.text('id').primary();
    vendorRef(t);
    t.uuid('installation_id').notNullable().unique().references('installations.id').onDelete('CASCADE');
    t.binary('secret_hash').notNullable(); // SHA-256 of the 256-bit secret
    t.text('agent_version').nullable();
    t.jsonb('host').nullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('rotated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('agent_install_tokens', (t) => {
    t.text('token_hash').primary();
    vendorRef(t);
    t.uuid('installation_id').notNullable().references('installations.id').onDelete('CASCADE');
    t.text('agent_id').notNullable().references('agents.id').onDelete('CASCADE');
    // The secret must reach the manifest; it is kept only until the token is used or expires.
    t.text('secret').nullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('used_at', { useTz: true }).nullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('agent_sessions', (t) => {
    t.bigIncrements('id');
    vendorRef(t);
    t.uuid('installation_id').notNullable().references('installations.id').onDelete('CASCADE');
    t.text('agent_id').notNullable();
    t.text('hub_node').notNullable();
    t.text('ip').nullable();
    t.text('agent_version').nullable();
    t.timestamp('connected_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('disconnected_at', { useTz: true }).nullable();
    t.index(['installation_id', 'connected_at']);
    t.index(['hub_node'], undefined, { predicate: knex.whereNull('disconnected_at') });
  });

  await knex.schema.createTable('installation_events', (t) => {
    t.bigIncrements('id');
    vendorRef(t);
    t.uuid('installation_id').notNullable().references('installations.id').onDelete('CASCADE');
    t.text('type').notNullable(); // health | connected | disconnected | deployed | command
    t.text('health').nullable();
    t.text('message').nullable();
    t.jsonb('data').nullable();
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['installation_id', 'at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'installation_events',
    'agent_sessions',
    'agent_install_tokens',
    'agents',
    'desired_states',
    'installations',
    'application_versions',
    'applications',
    'sessions',
    'memberships',
    'customers',
    'users',
    'vendors',
  ]) {
    await knex.schema.dropTable(table);
  }
}

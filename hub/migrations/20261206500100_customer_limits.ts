import type { Knex } from 'knex';

/**
 * What a customer's admins may do themselves (self-service): how many installations they may have
 * (null: no limit) and in which environments (null: any). The vendor sets them; the vendor's own
 * users are not bound by them.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('customers', (t) => {
    t.integer('max_installations').nullable();
    t.jsonb('allowed_environments').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('customers', (t) => {
    t.dropColumn('max_installations');
    t.dropColumn('allowed_environments');
  });
}

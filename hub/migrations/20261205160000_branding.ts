import type { Knex } from 'knex';

/**
 * Each vendor's look on its customers' side (name, colours, images, mail identity) and the host
 * names that show it. A domain is a primary key: it belongs to one vendor at most.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('vendor_branding', (t) => {
    t.uuid('vendor_id').primary().references('vendors.id').onDelete('CASCADE');
    t.text('product_name').nullable();
    t.text('primary_color').nullable();
    t.text('accent_color').nullable();
    t.text('email_sender_name').nullable();
    t.text('email_footer').nullable();
    for (const image of ['logo', 'favicon']) {
      t.binary(`${image}_data`).nullable();
      t.text(`${image}_type`).nullable();
      t.text(`${image}_hash`).nullable();
    }
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.createTable('vendor_domains', (t) => {
    t.text('domain').primary();
    t.uuid('vendor_id').notNullable().references('vendors.id').onDelete('CASCADE');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['vendor_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('vendor_domains');
  await knex.schema.dropTable('vendor_branding');
}

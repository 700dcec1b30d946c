import type { Knex } from 'knex';
import { migrationSource } from '../migrations/index.js';

const config = { migrationSource, tableName: 'knex_migrations' };

/** Applies pending migrations; concurrent hub starts are serialised by knex's migration lock. */
export async function migrateLatest(db: Knex): Promise<string[]> {
  const [, applied] = (await db.migrate.latest(config)) as [number, string[]];
  return applied;
}

export async function rollbackAll(db: Knex): Promise<string[]> {
  const [, reverted] = (await db.migrate.rollback(config, true)) as [number, string[]];
  return reverted;
}

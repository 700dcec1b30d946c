import knexFactory, { type Knex } from 'knex';
import pg from 'pg';

// int8 (bigint, count(*)) as JS numbers: our counters stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export type Database = Knex;

export function createDatabase(url: string, pool: { min: number; max: number } = { min: 0, max: 10 }): Database {
  // Fail fast when the database is gone: a request or job should error in seconds, not hang a minute.
  return knexFactory({ client: 'pg', connection: url, pool, acquireConnectionTimeout: 10_000, asyncStackTraces: false });
}

export async function pingDatabase(db: Database): Promise<void> {
  await db.raw('select 1');
}

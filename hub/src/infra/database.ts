import knexFactory, { type Knex } from 'knex';
import pg from 'pg';

// int8 (bigint, count(*)) as JS numbers: our counters stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export type Database = Knex;

export function createDatabase(url: string, pool: { min: number; max: number } = { min: 0, max: 10 }): Database {
  return knexFactory({ client: 'pg', connection: url, pool, asyncStackTraces: false });
}

export async function pingDatabase(db: Database): Promise<void> {
  await db.raw('select 1');
}

import { describe, expect, it } from 'vitest';
import { isPostgresConnectionError } from './bullmq-postgres.js';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('isPostgresConnectionError', () => {
  it('knows the errors of a connection that is gone', () => {
    expect(isPostgresConnectionError(withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'))).toBe(true);
    expect(isPostgresConnectionError(new AggregateError([withCode('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED')], ''))).toBe(true);
    expect(isPostgresConnectionError(withCode('read ECONNRESET', 'ECONNRESET'))).toBe(true);
    expect(isPostgresConnectionError(withCode('terminating connection due to administrator command', '57P01'))).toBe(true);
    expect(isPostgresConnectionError(withCode('the database system is starting up', '57P03'))).toBe(true);
    expect(isPostgresConnectionError(withCode('connection failure', '08006'))).toBe(true);
    expect(isPostgresConnectionError(withCode('sorry, too many clients already', '53300'))).toBe(true);
    expect(isPostgresConnectionError(withCode('database "x" is not currently accepting connections', '55000'))).toBe(true);
    expect(isPostgresConnectionError(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isPostgresConnectionError(new Error('Client has encountered a connection error and is not queryable'))).toBe(true);
  });

  it('leaves statement errors alone', () => {
    expect(isPostgresConnectionError(withCode('function move_to_active() does not exist', '42883'))).toBe(false);
    expect(isPostgresConnectionError(withCode('duplicate key value violates unique constraint', '23505'))).toBe(false);
    expect(isPostgresConnectionError(withCode('lock on relation is not available', '55P03'))).toBe(false);
    expect(isPostgresConnectionError('not an error')).toBe(false);
  });
});

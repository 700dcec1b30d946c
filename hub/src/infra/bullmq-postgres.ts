import { ConnectionClosedError, createPostgresBackend, type BackendFactory, type PostgresConnection, type PostgresConnectionOptions, type PostgresQueueBackend } from 'bullmq';

/**
 * BullMQ's PostgreSQL backend (6.7.x, still so in 6.7.6) with three defects fixed, each the way
 * BullMQ fixes the same thing elsewhere; remove a guard once upstream ships the fix (the tests in
 * test/queue-faults.int.test.ts say when):
 *
 * 1. `PostgresConnection.waitUntilReady` memoizes its first connection check (`bootstrap`) even
 *    when it fails. Every later query of that Worker then rejects at once, without I/O, with the
 *    same error; the Worker's main loop takes that error for a non-connection error, retries
 *    without delay, and spins in microtasks forever: 100 % CPU, sockets left in CLOSE_WAIT, the
 *    process deaf (the hub test run that hung 24 minutes). Fix: memoize only a success, as the
 *    same class already does for its LISTEN client.
 * 2. Driver errors that mean "the connection is gone" (refused, reset, terminated by the server,
 *    the database not accepting connections) reach the Worker as plain errors, so it retries
 *    them at once instead of after `runRetryDelay`. Fix: rethrow them as BullMQ's
 *    `ConnectionClosedError`, as its Redis and Valkey clients do.
 * 3. `bootstrap` checks a client out of the pool and holds it across statements without an
 *    `error` listener: the server terminating that connection crashes the process with an
 *    unhandled 'error' event. Fix: every pooled client gets a listener (node-postgres' advice for
 *    checked-out clients); the failed statement still fails and the pool drops the client.
 */
export const guardedPostgresBackend: BackendFactory<PostgresQueueBackend, PostgresConnectionOptions> = (name, opts, factoryOpts) => {
  const backend = createPostgresBackend(name, opts, factoryOpts);
  guardConnection(backend.connection);
  // The backend memoizes its own readiness on top of the connection's.
  forgetFailures(backend);
  return backend;
};

const CONNECTION_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', '53300', '57P01', '57P02', '57P03']);
const CONNECTION_ERROR_MESSAGES = /Connection terminated|not queryable|timeout exceeded when trying to connect|is not currently accepting connections/;

/** Whether an error from node-postgres means the connection is gone (transient), not a bad statement. */
export function isPostgresConnectionError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (CONNECTION_ERROR_CODES.has(code) || code.startsWith('08'))) return true;
  // Connecting to several addresses (localhost: ::1 and 127.0.0.1) fails with an AggregateError.
  if (err instanceof AggregateError) return err.errors.some(isPostgresConnectionError);
  return CONNECTION_ERROR_MESSAGES.test(err.message);
}

const asConnectionError = (err: unknown): unknown => (isPostgresConnectionError(err) ? new ConnectionClosedError((err as Error).message, err) : err);

function guardConnection(connection: PostgresConnection): void {
  const pool = connection.pool as PostgresConnection['pool'] & NodeJS.EventEmitter;
  pool.on('connect', (client: NodeJS.EventEmitter) => client.on('error', () => undefined));
  const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<unknown>;
  (pool as { query: unknown }).query = (...args: unknown[]) =>
    query(...args).catch((err: unknown) => {
      throw asConnectionError(err);
    });
  forgetFailures(connection);
}

/** Wraps `waitUntilReady` so a failed attempt is forgotten (its private memo cleared) and retried by the next caller. */
function forgetFailures(target: { waitUntilReady(): Promise<void> }): void {
  const original = target.waitUntilReady.bind(target);
  target.waitUntilReady = () => {
    const attempt = original();
    const memo: unknown = Reflect.get(target, 'readyPromise');
    return attempt.catch((err: unknown) => {
      // Only this attempt's memo: a newer attempt may have started meanwhile.
      if (Reflect.get(target, 'readyPromise') === memo) Reflect.set(target, 'readyPromise', undefined);
      throw asConnectionError(err);
    });
  };
}

import type { z } from 'zod';
import { summarizeIssues, type ErrorAck } from '@flotilla/protocol';
import { toErrorBody } from '../errors.js';
import type { Logger } from '../logger.js';

/** The part of a Socket.IO socket the wrappers need; typed sockets satisfy it. */
interface Listenable {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  onAny(listener: (event: string, ...args: unknown[]) => void): unknown;
}

/** The logger, or a function making it on first use (per-connection child loggers cost memory). */
type LoggerSource = Logger | (() => Logger);

/**
 * Registers `handler` for `event` behind the payload's schema. A payload that does not parse is
 * answered `INVALID_PAYLOAD` (when the sender asked for an ack) and never reaches the handler; a
 * handler error becomes an error ack. Nothing here can crash the process or drop the connection.
 */
export function onValidated<S extends z.ZodType, R>(socket: Pick<Listenable, 'on'>, event: string, schema: S, handler: (payload: z.output<S>) => Promise<R> | R, logger: LoggerSource): void {
  socket.on(event, (...args: unknown[]) => handleValidated(event, schema, handler, args, logger));
}

/** One event of a table (see onValidatedEvents): its schema, and its handler given the connection's context. */
export interface ValidatedEvent<C> {
  schema: z.ZodType;
  handle(context: C, payload: unknown): unknown;
}

/** An entry of an event table, typed by its schema. */
export function validatedEvent<S extends z.ZodType, C, R>(schema: S, handle: (context: C, payload: z.output<S>) => Promise<R> | R): ValidatedEvent<C> {
  return { schema, handle: handle as ValidatedEvent<C>['handle'] };
}

/**
 * onValidated for every event of `table`, with one listener per socket: a hub holding 10 000 agent
 * sockets would otherwise keep a listener and its closures per event and socket. The table is
 * built once; each handler gets the connection's `context`. Events not in the table are ignored.
 */
export function onValidatedEvents<C>(socket: Pick<Listenable, 'onAny'>, table: ReadonlyMap<string, ValidatedEvent<C>>, context: C, logger: LoggerSource): void {
  socket.onAny((event, ...args) => {
    const entry = table.get(event);
    if (entry) handleValidated(event, entry.schema, (payload) => entry.handle(context, payload), args, logger);
  });
}

function handleValidated<S extends z.ZodType, R>(event: string, schema: S, handler: (payload: z.output<S>) => Promise<R> | R, args: unknown[], logger: LoggerSource): void {
  const log = () => (typeof logger === 'function' ? logger() : logger);
  const last = args.at(-1);
  const ack = typeof last === 'function' ? (last as (response: R | ErrorAck) => void) : undefined;
  const parsed = schema.safeParse(args[0]);
  if (!parsed.success) {
    const message = `Invalid ${event} payload: ${summarizeIssues(parsed.error.issues)}`;
    log().warn({ event, issues: parsed.error.issues.length }, 'invalid socket payload');
    ack?.({ error: { code: 'INVALID_PAYLOAD', message } });
    return;
  }
  Promise.resolve()
    .then(() => handler(parsed.data))
    .then(
      (result) => ack?.(result),
      (err: unknown) => {
        const { body, internal } = toErrorBody(err);
        if (internal) log().error({ err, event }, 'socket handler failed');
        ack?.({ error: { code: body.error.code, message: body.error.message } });
      },
    );
}

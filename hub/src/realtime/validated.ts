import type { z } from 'zod';
import { summarizeIssues, type ErrorAck } from '@flotilla/protocol';
import { toErrorBody } from '../errors.js';
import type { Logger } from '../logger.js';

/** The part of a Socket.IO socket the wrapper needs; typed sockets satisfy it. */
interface Listenable {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
}

/**
 * Registers `handler` for `event` behind the payload's schema. A payload that does not parse is
 * answered `INVALID_PAYLOAD` (when the sender asked for an ack) and never reaches the handler; a
 * handler error becomes an error ack. Nothing here can crash the process or drop the connection.
 */
export function onValidated<S extends z.ZodType, R>(
  socket: Listenable,
  event: string,
  schema: S,
  handler: (payload: z.output<S>) => Promise<R> | R,
  /** The logger, or a function making it on first use (per-connection child loggers cost memory). */
  logger: Logger | (() => Logger),
): void {
  const log = () => (typeof logger === 'function' ? logger() : logger);
  socket.on(event, (...args: unknown[]) => {
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
  });
}

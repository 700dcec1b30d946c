import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';
import type { Logger } from '../../logger.js';

export interface RequestState {
  requestId: string;
  log: Logger;
}

const VALID_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Gives every request an id (the caller's `X-Request-Id` when sane, else a new one), a child logger
 * carrying it, and one access-log line when the response is done.
 */
export function requestContext(logger: Logger): Middleware<RequestState> {
  return async (ctx, next) => {
    const incoming = ctx.get('x-request-id');
    const requestId = VALID_ID.test(incoming) ? incoming : randomUUID();
    ctx.state.requestId = requestId;
    ctx.state.log = logger.child({ requestId });
    ctx.set('X-Request-Id', requestId);
    const started = performance.now();
    try {
      await next();
    } finally {
      const ms = Math.round((performance.now() - started) * 10) / 10;
      const level = ctx.status >= 500 ? 'error' : 'info';
      // Probes are hit every few seconds; keep them out of the info log.
      const quiet = ctx.path === '/healthz' || ctx.path === '/readyz';
      ctx.state.log[quiet && level === 'info' ? 'debug' : level](
        { method: ctx.method, path: ctx.path, status: ctx.status, ms },
        'request',
      );
    }
  };
}

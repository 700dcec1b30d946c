import type { Middleware } from 'koa';
import { AppError, toErrorBody } from '../../errors.js';
import type { RequestState } from './request-context.js';

/**
 * Turns anything thrown below into `{error:{code,message}}` with the catalogue's status.
 * Unknown errors are logged with their stack and answered with a bare INTERNAL.
 */
export function errorHandler(): Middleware<RequestState> {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.body === undefined) {
        if (ctx.status === 404) throw new AppError('NOT_FOUND', `No route for ${ctx.method} ${ctx.path}`);
        // The router's allowedMethods() leaves these bodiless (Allow header set): answer in the error shape.
        const allow = ctx.response.get('Allow');
        if (ctx.status === 405) throw new AppError('METHOD_NOT_ALLOWED', `${ctx.method} is not allowed on ${ctx.path}${allow ? ` (allowed: ${allow})` : ''}`);
        if (ctx.status === 501) throw new AppError('NOT_IMPLEMENTED', `The hub does not implement the HTTP method ${ctx.method}`);
      }
    } catch (err) {
      const { status, body, internal } = toErrorBody(err);
      if (internal) ctx.state.log.error({ err }, 'unhandled error');
      ctx.status = status;
      ctx.body = body;
      if (status === 429 && err instanceof AppError && typeof err.details?.retryAfterSeconds === 'number') {
        ctx.set('Retry-After', String(Math.ceil(err.details.retryAfterSeconds)));
      }
    }
  };
}

import Router from '@koa/router';
import type { CheckResult, HealthzResponse, ReadyzResponse } from '@flotilla/protocol';
import type { Infra } from '../../infra/index.js';
import type { EventLoopMonitor } from '../../infra/event-loop.js';

const CHECK_TIMEOUT_MS = 2000;

async function runCheck(check: () => Promise<void>): Promise<CheckResult> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS))),
    ]);
    return { status: 'ok', latencyMs: Math.round(performance.now() - started) };
  } catch (err) {
    return { status: 'failing', latencyMs: Math.round(performance.now() - started), error: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `/healthz`: the process answers. `/readyz`: every dependency answers and the event loop keeps up;
 * 503 names the failing one.
 */
export function healthRoutes(checks: Infra['checks'], eventLoop: EventLoopMonitor, isShuttingDown: () => boolean): Router {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    const body: HealthzResponse = { status: 'ok' };
    ctx.body = body;
  });
  router.get('/readyz', async (ctx) => {
    const [database, queue, adapter, loop] = await Promise.all([runCheck(checks.database), runCheck(checks.queue), runCheck(checks.adapter), runCheck(eventLoop.check)]);
    // The event loop's "latency" is its lag, not how long this check took.
    const lagged: CheckResult = { ...loop, latencyMs: eventLoop.lagMs() };
    const ok = !isShuttingDown() && [database, queue, adapter, lagged].every((c) => c.status === 'ok');
    const body: ReadyzResponse = { status: ok ? 'ok' : 'failing', checks: { database, queue, adapter, eventLoop: lagged } };
    ctx.status = ok ? 200 : 503;
    ctx.body = body;
  });
  return router;
}

import Router from '@koa/router';
import type { CheckResult, HealthzResponse, ReadyzResponse } from '@flotilla/protocol';
import type { Infra } from '../../infra/index.js';

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

/** `/healthz`: the process answers. `/readyz`: every dependency answers; 503 names the failing one. */
export function healthRoutes(checks: Infra['checks'], isShuttingDown: () => boolean): Router {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    const body: HealthzResponse = { status: 'ok' };
    ctx.body = body;
  });
  router.get('/readyz', async (ctx) => {
    const [database, queue, adapter] = await Promise.all([runCheck(checks.database), runCheck(checks.queue), runCheck(checks.adapter)]);
    const ok = !isShuttingDown() && [database, queue, adapter].every((c) => c.status === 'ok');
    const body: ReadyzResponse = { status: ok ? 'ok' : 'failing', checks: { database, queue, adapter } };
    ctx.status = ok ? 200 : 503;
    ctx.body = body;
  });
  return router;
}

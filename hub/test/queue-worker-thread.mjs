// Runs the hub's queues (built: dist/) in a worker thread, so a test can watch from outside whether
// this event loop spins: it posts a tick every TICK_MS while it is free.
import { parentPort, workerData } from 'node:worker_threads';
import { setInterval } from 'node:timers';
import { openInfra } from '../dist/src/infra/index.js';
import { createLogger } from '../dist/src/logger.js';

const TICK_MS = 50;
const infra = await openInfra({ databaseUrl: workerData.databaseUrl, redisUrl: undefined, redisPrefix: 'unused', dataDir: '/nonexistent', embeddedPgPort: 0 }, createLogger('silent'));
setInterval(() => parentPort.postMessage({ tick: Date.now() }), TICK_MS);
infra.queues.work('maintenance', async (job) => parentPort.postMessage({ processed: job.name }));
parentPort.on('message', (msg) => {
  if (msg.add) infra.queues.queue('maintenance').add(msg.add, {}).catch((err) => parentPort.postMessage({ addFailed: String(err) }));
  if (msg.close) void infra.close().then(() => process.exit(0));
});
parentPort.postMessage({ started: true });

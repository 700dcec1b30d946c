import { Worker } from 'node:worker_threads';
import type { Logger } from '../logger.js';

/** How long the event loop took to get round, measured from inside: logged and reported by /readyz. */
export interface EventLoopMonitor {
  /** The longest delay of the event loop over the last window (milliseconds). */
  lagMs(): number;
  /** Fails while the loop lags past the limit (a /readyz check). */
  check(): Promise<void>;
  stop(): void;
}

export interface EventLoopMonitorOptions {
  windowMs?: number;
  /** A window whose lag reaches this is logged. */
  warnMs?: number;
  /** A window whose lag reaches this makes /readyz fail (the balancer sends work elsewhere). */
  failMs?: number;
}

/** How often the lag is sampled: a timer that should fire every TICK_MS and measures how late it is. */
const TICK_MS = 50;

export function eventLoopMonitor(log: Logger, { windowMs = 1000, warnMs = 500, failMs = 1000 }: EventLoopMonitorOptions = {}): EventLoopMonitor {
  // A late timer of our own, not perf_hooks' monitorEventLoopDelay: resetting that histogram at a
  // window's end can drop the very sample of a block (its timer and ours fire in either order).
  let last = performance.now();
  let windowStart = last;
  let windowMax = 0;
  let lag = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    windowMax = Math.max(windowMax, now - last - TICK_MS);
    last = now;
    if (now - windowStart < windowMs) return;
    lag = Math.max(0, Math.round(windowMax));
    windowMax = 0;
    windowStart = now;
    if (lag >= warnMs) log.warn({ lagMs: lag }, 'event loop lagged');
  }, TICK_MS);
  timer.unref();
  return {
    lagMs: () => lag,
    async check() {
      if (lag >= failMs) throw new Error(`event loop lagged ${lag} ms in the last ${windowMs} ms`);
    },
    stop() {
      clearInterval(timer);
    },
  };
}

export interface StallWatchdogOptions {
  /** Blocked this long: logged (again at each multiple). */
  reportMs?: number;
  /** Blocked this long: the process is killed so its supervisor restarts it; 0 = never. */
  exitMs: number;
  /** pino numeric level under which nothing is written. */
  levelVal: number;
}

/**
 * A loop that never gets round cannot log that it is stuck (the hub once spun 24 minutes in
 * microtasks, silently). A worker thread watches a heartbeat the loop bumps: it writes the log line
 * itself while the loop is blocked and, past `exitMs`, kills the process (signal handlers would need
 * the very loop that is stuck).
 */
/** Resolves once the watchdog thread runs, with the function that stops it. */
export async function startStallWatchdog({ reportMs = 5000, exitMs, levelVal }: StallWatchdogOptions): Promise<() => Promise<void>> {
  const shared = new SharedArrayBuffer(4);
  const beat = new Int32Array(shared);
  const timer = setInterval(() => Atomics.add(beat, 0, 1), 200);
  timer.unref();
  // No inherited flags: the thread's source is CommonJS whatever the process was started with.
  const worker = new Worker(WATCHDOG_THREAD, { eval: true, execArgv: [], workerData: { shared, reportMs, exitMs, levelVal } });
  await new Promise<void>((resolve, reject) => {
    worker.once('online', resolve);
    worker.once('error', reject);
  });
  // Referenced until online (else a process with nothing else to do would exit meanwhile), not after.
  worker.unref();
  return async () => {
    clearInterval(timer);
    await worker.terminate();
  };
}

const WATCHDOG_THREAD = `
const { workerData } = require('node:worker_threads');
const fs = require('node:fs');
const { reportMs, exitMs, levelVal } = workerData;
const beat = new Int32Array(workerData.shared);
const log = (level, msg, extra) => {
  if (level < levelVal) return;
  fs.writeSync(1, JSON.stringify({ level, time: Date.now(), pid: process.pid, service: 'hub', component: 'event-loop', ...extra, msg }) + '\\n');
};
let last = Atomics.load(beat, 0);
let since = Date.now();
let reported = 0;
setInterval(() => {
  const now = Date.now();
  const current = Atomics.load(beat, 0);
  if (current !== last) {
    if (reported > 0) log(40, 'event loop running again', { blockedMs: now - since });
    last = current;
    since = now;
    reported = 0;
    return;
  }
  const blockedMs = now - since;
  if (blockedMs >= reportMs * (reported + 1)) {
    reported += 1;
    log(50, 'event loop blocked', { blockedMs });
  }
  if (exitMs > 0 && blockedMs >= exitMs) {
    log(60, 'event loop blocked too long: killing the process so that it is restarted', { blockedMs });
    process.kill(process.pid, 'SIGKILL');
  }
}, 250);
`;

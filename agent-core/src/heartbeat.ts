import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { IsoDate } from '@flotilla/protocol';
import type { Logger } from './logger.js';

/**
 * `<stateDir>/heartbeat.json`: written by the running agent, read by `flotilla-agent-* healthcheck`
 * (a container's HEALTHCHECK), so the check needs no connection to the agent process.
 */
export const HEARTBEAT_FILE = 'heartbeat.json';

export const Heartbeat = z.object({
  /** When the agent last wrote the file: a stale file means a dead or stuck process. */
  at: IsoDate,
  connected: z.boolean(),
  /** Since when `connected` has had its current value. */
  since: IsoDate,
});
export type Heartbeat = z.infer<typeof Heartbeat>;

export const HEARTBEAT_INTERVAL_MS = 10_000;

export interface HeartbeatWriter {
  stop(): Promise<void>;
}

/** Writes the heartbeat now and every `intervalMs`; write failures are logged, never thrown. */
export function startHeartbeat(
  stateDir: string,
  isConnected: () => boolean,
  logger: Logger,
  intervalMs = HEARTBEAT_INTERVAL_MS,
): HeartbeatWriter {
  const file = path.join(stateDir, HEARTBEAT_FILE);
  let connected = isConnected();
  let since = new Date();
  let writing: Promise<void> = Promise.resolve();

  const beat = () => {
    const now = new Date();
    const current = isConnected();
    if (current !== connected) {
      connected = current;
      since = now;
    }
    const body: Heartbeat = { at: now.toISOString(), connected, since: since.toISOString() };
    // Atomic replace, so the checker never reads half a file.
    const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
    writing = writing
      .then(() => mkdir(stateDir, { recursive: true }))
      .then(() => writeFile(tmp, `${JSON.stringify(body)}\n`, 'utf8'))
      .then(() => rename(tmp, file))
      .catch(async (err: unknown) => {
        await rm(tmp, { force: true });
        logger.warn({ err, file }, 'could not write the heartbeat file');
      });
  };

  beat();
  const timer = setInterval(beat, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await writing;
      // A stopped agent is not healthy: the file goes with it.
      await rm(file, { force: true });
    },
  };
}

export interface HealthLimits {
  /** The heartbeat must be younger than this (default 3 intervals). */
  maxAgeMs: number;
  /** The agent may be disconnected from the hub at most this long (default 5 min). */
  maxOfflineMs: number;
}

export const DEFAULT_HEALTH_LIMITS: HealthLimits = { maxAgeMs: 3 * HEARTBEAT_INTERVAL_MS, maxOfflineMs: 300_000 };

export type HealthVerdict = { healthy: true; message: string } | { healthy: false; message: string };

/** Judges the agent from its heartbeat file: alive (fresh file) and not cut off from the hub for too long. */
export async function checkHeartbeat(stateDir: string, limits: HealthLimits = DEFAULT_HEALTH_LIMITS, now = new Date()): Promise<HealthVerdict> {
  const file = path.join(stateDir, HEARTBEAT_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return { healthy: false, message: `no heartbeat at ${file}: the agent is not running` };
  }
  let beat: Heartbeat;
  try {
    beat = Heartbeat.parse(JSON.parse(text));
  } catch {
    return { healthy: false, message: `unreadable heartbeat at ${file}` };
  }
  const age = now.getTime() - Date.parse(beat.at);
  if (age > limits.maxAgeMs) return { healthy: false, message: `heartbeat is ${Math.round(age / 1000)} s old: the agent is stuck` };
  const offline = now.getTime() - Date.parse(beat.since);
  if (!beat.connected && offline > limits.maxOfflineMs) {
    return { healthy: false, message: `not connected to the hub for ${Math.round(offline / 1000)} s` };
  }
  return { healthy: true, message: beat.connected ? 'connected to the hub' : `connecting to the hub (${Math.round(offline / 1000)} s)` };
}

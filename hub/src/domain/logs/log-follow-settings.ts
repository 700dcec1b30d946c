import type { LogFollowLimits } from '@flotilla/protocol';

/** What the hub asks of every live log follow (LOG_FOLLOW_* in the configuration). */
export type LogFollowSettings = LogFollowLimits;

export const DEFAULT_LOG_FOLLOW_SETTINGS: LogFollowSettings = {
  linesPerSecond: 200,
  bytesPerSecond: 64 * 1024,
  // Chunks go out every 50 ms at most: four in flight keep a follow flowing over a slow link.
  window: 4,
  maxDurationSeconds: 15 * 60,
};

/** Past lines a follow starts with when the client does not say. */
export const DEFAULT_LOG_FOLLOW_TAIL = 100;

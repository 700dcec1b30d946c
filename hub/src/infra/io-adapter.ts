import { createAdapter } from '@socket.io/redis-streams-adapter';
import type { Redis } from 'ioredis';

/** Socket.IO adapter constructor, or undefined for the built-in in-memory adapter (one process). */
export type AdapterConstructor = ReturnType<typeof createAdapter> | undefined;

/** The Redis-streams adapter lets any hub process emit to sockets held by any other. */
export function redisStreamsAdapter(redis: Redis, prefix: string): AdapterConstructor {
  return createAdapter(redis, { streamName: `${prefix}:socket.io`, maxLen: 100_000 });
}

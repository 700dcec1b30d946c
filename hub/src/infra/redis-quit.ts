import type { Redis } from 'ioredis';

/**
 * Closes a Redis connection politely, or at once when it is already going (no error on the way
 * out). Commands queued by auto-pipelining are written on the next turn, while QUIT is written at
 * once and would overtake them: a PING queues behind them, and QUIT waits for its answer (seen: a
 * hub shutting down lost the live "offline" statuses of its agents, published just before).
 */
export async function quitRedis(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  if (client.status === 'ready') await client.ping().catch(() => undefined);
  await client.quit().catch(() => client.disconnect());
}

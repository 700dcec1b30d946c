import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { quitRedis } from '../src/infra/redis-quit.js';
import { REDIS_URL, dropRedisPrefix, randomSuffix } from './helpers.js';

const prefix = `flotilla_test_${randomSuffix()}`;

afterAll(async () => {
  await dropRedisPrefix(prefix);
});

describe('quitRedis', () => {
  it('lets the commands auto-pipelining still holds reach Redis before the connection closes', async () => {
    const client = new Redis(REDIS_URL, { enableAutoPipelining: true });
    await client.ping();
    // Not awaited, as an adapter's publish is not: auto-pipelining writes it on the next turn.
    const written = client.xadd(`${prefix}:stream`, '*', 'k', 'v');
    await quitRedis(client);
    await expect(written).resolves.toMatch(/^\d+-\d+$/);
    const reader = new Redis(REDIS_URL);
    try {
      expect(await reader.xlen(`${prefix}:stream`)).toBe(1);
    } finally {
      reader.disconnect();
    }
    expect(client.status).toBe('end');
  });

  it('is a no-op on a connection already closed', async () => {
    const client = new Redis(REDIS_URL);
    await client.ping();
    await quitRedis(client);
    await expect(quitRedis(client)).resolves.toBeUndefined();
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SWEEP_STALE_NODES } from '../src/maintenance.js';
import { createTestDatabase, dropRedisPrefix, randomSuffix, startTestHub, waitFor, type TestDatabase, type TestHub } from './helpers.js';

describe.each([
  ['on Redis', true],
  ['on PostgreSQL', false],
])('BullMQ %s', (_label, withRedis) => {
  let tdb: TestDatabase;
  let producer: TestHub;
  let consumer: TestHub;
  const prefix = `flotilla_test_${randomSuffix()}`;

  beforeAll(async () => {
    tdb = await createTestDatabase();
    const redis = withRedis ? { redisPrefix: prefix } : {};
    // The producer runs no workers, so only the other hub process can have done the job.
    producer = await startTestHub({ databaseUrl: tdb.url, workers: false, ...redis });
    consumer = await startTestHub({ databaseUrl: tdb.url, workers: true, ...redis });
  });

  afterAll(async () => {
    await producer.close();
    await consumer.close();
    await tdb.drop();
    if (withRedis) await dropRedisPrefix(prefix);
  });

  it('processes on one hub a job enqueued by another', async () => {
    // A crashed hub's row, silent for 10 minutes: the sweep job must remove it.
    await producer.infra.db('hub_nodes').insert({ id: 'ghost', hostname: 'gone', pid: 1, version: '0', last_seen_at: producer.infra.db.raw("now() - interval '10 minutes'") });
    const queue = producer.infra.queues.queue('maintenance');
    const job = await queue.add(SWEEP_STALE_NODES, {});
    const jobId = job.id ?? '';
    expect(jobId).not.toBe('');
    await waitFor(async () => ((await queue.state(jobId)) === 'completed' ? true : undefined), 20_000, `job ${jobId} to complete`);
    await waitFor(async () => ((await producer.infra.db('hub_nodes').where({ id: 'ghost' })).length === 0 ? true : undefined), 20_000, 'the ghost node to be swept');
    const live = (await producer.infra.db('hub_nodes').select('id')).map((r: { id: string }) => r.id).sort();
    expect(live).toEqual([producer.app.nodeId, consumer.app.nodeId].sort());
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openInfra, type Infra } from '../src/infra/index.js';
import { AdvanceRunner } from '../src/rollouts/advance-runner.js';
import { MAX_AGENT_EVENT_DELAY_MS, REST_FACTOR } from '../src/rollouts/advance-pacing.js';
import { createTestDatabase, dropRedisPrefix, randomSuffix, REDIS_URL, testLogger, waitFor, type TestDatabase } from './helpers.js';

// When advances run, on BullMQ over real Redis, with an advance that waits for a gate the test
// opens: agent events during an advance neither run a second one beside it (it would wait for the
// rollout's row lock and start as the first commits, with no rest) nor get lost.

let tdb: TestDatabase;
let infra: Infra;
const prefix = `flotilla_test_${randomSuffix()}`;

beforeAll(async () => {
  tdb = await createTestDatabase();
  infra = await openInfra({ databaseUrl: tdb.url, redisUrl: REDIS_URL, redisPrefix: prefix, dataDir: '/nonexistent', embeddedPgPort: 0 }, testLogger);
});

afterAll(async () => {
  await infra.close();
  await tdb.drop();
  await dropRedisPrefix(prefix);
});

/** An advance that records each run and holds the first until `open()`. */
function gatedAdvance() {
  const runs: { startedAt: number; endedAt?: number }[] = [];
  let running = 0;
  let mostAtOnce = 0;
  let open: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const advance = async (): Promise<boolean> => {
    const run: { startedAt: number; endedAt?: number } = { startedAt: Date.now() };
    runs.push(run);
    running += 1;
    mostAtOnce = Math.max(mostAtOnce, running);
    if (runs.length === 1) await gate;
    running -= 1;
    run.endedAt = Date.now();
    return true;
  };
  return { runs, advance, open: () => open(), mostAtOnce: () => mostAtOnce };
}

describe('AdvanceRunner', () => {
  it('holds agent events that arrive during an advance for the next one, paced from its end', async () => {
    const gated = gatedAdvance();
    const runner = new AdvanceRunner(infra.queues, gated.advance, testLogger);
    runner.start(async () => []);
    const rolloutId = `r-${randomSuffix()}`;

    await runner.trigger(rolloutId, 50);
    await waitFor(() => (gated.runs.length === 1 ? true : undefined), 10_000, 'the first advance to start');
    // Events while it runs: their job comes due (50 ms) long before the gate opens.
    await runner.trigger(rolloutId, 50);
    await new Promise((resolve) => setTimeout(resolve, 600));
    await runner.trigger(rolloutId, 50);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(gated.runs).toHaveLength(1);

    gated.open();
    await waitFor(() => (gated.runs.length === 2 && gated.runs[1]?.endedAt ? true : undefined), 10_000, 'the events to advance the rollout again');
    const [first, second] = gated.runs;
    expect(gated.mostAtOnce()).toBe(1);
    // It rested after the first: REST_FACTOR times the first's duration (about a second) from its
    // end, at most the longest delay (a slow machine stretches the first).
    const firstEnd = first?.endedAt ?? 0;
    const restMs = Math.min(MAX_AGENT_EVENT_DELAY_MS, REST_FACTOR * (firstEnd - (first?.startedAt ?? 0)));
    expect(second?.startedAt ?? 0).toBeGreaterThanOrEqual(firstEnd + restMs - 50);
    // Nothing else is queued: the events rode on that one advance.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(gated.runs).toHaveLength(2);
  });
});

import { describe, expect, it } from 'vitest';
import { agentEventDelay, MAX_AGENT_EVENT_DELAY_MS, REST_FACTOR } from './advance-pacing.js';

describe('agentEventDelay', () => {
  it('is the debounce for a rollout not advanced on this process yet', () => {
    expect(agentEventDelay(200, undefined, 1000)).toBe(200);
  });

  it('rests after a finished advance REST_FACTOR times as long as it took, counted from its end', () => {
    const last = { startedAt: 10_000, endedAt: 11_000, durationMs: 1000 };
    expect(agentEventDelay(200, last, 11_000)).toBe(REST_FACTOR * 1000);
    expect(agentEventDelay(200, last, 12_500)).toBe(REST_FACTOR * 1000 - 1500);
    // Long after the rest, events only gather for the debounce.
    expect(agentEventDelay(200, last, 20_000)).toBe(200);
  });

  it('counts the rest from the expected end of a running advance, not from the event', () => {
    // Started at 10 s, the one before took 1 s: it should end at 11 s and rest until 13 s.
    const running = { startedAt: 10_000, endedAt: null, durationMs: 1000 };
    expect(agentEventDelay(200, running, 10_100)).toBe(2900);
    // So the next starts at 13 s: the rollout advances for 1 s of every 3 s, a third of the process.
    expect(10_000 + agentEventDelay(200, running, 10_000)).toBe(13_000);
  });

  it('never waits longer than the cap', () => {
    expect(agentEventDelay(200, { startedAt: 0, endedAt: 60_000, durationMs: 60_000 }, 60_000)).toBe(MAX_AGENT_EVENT_DELAY_MS);
  });
});

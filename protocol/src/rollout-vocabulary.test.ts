import { describe, expect, it } from 'vitest';
import { Rollout, RolloutStrategy, RolloutTarget } from './rest/releases.js';
import {
  ACTIVE_TARGET_STATUSES,
  DEFAULT_ROLLOUT_STRATEGY,
  FAILURE_TARGET_STATUSES,
  FINISHED_ROLLOUT_STATUSES,
  FINISHED_TARGET_STATUSES,
  ROLLOUT_STATUSES,
  TARGET_STATUSES,
  UNFINISHED_ROLLOUT_STATUSES,
  isFinishedRolloutStatus,
} from './rollout-vocabulary.js';

describe('the rollout vocabulary', () => {
  it('is what the REST schemas accept', () => {
    expect(Rollout.shape.status.options).toEqual([...ROLLOUT_STATUSES]);
    expect(RolloutTarget.shape.status.options).toEqual([...TARGET_STATUSES]);
  });

  it('a strategy left out is the defaults, field by field', () => {
    expect(RolloutStrategy.parse({})).toEqual(DEFAULT_ROLLOUT_STRATEGY);
    // The default waves are a fresh array each time (a caller mutating one changes no other).
    expect(RolloutStrategy.parse({}).waves).not.toBe(RolloutStrategy.parse({}).waves);
  });

  it('every rollout status is finished or not, never both; rolled_back is finished', () => {
    expect([...FINISHED_ROLLOUT_STATUSES, ...UNFINISHED_ROLLOUT_STATUSES].sort()).toEqual([...ROLLOUT_STATUSES].sort());
    expect(isFinishedRolloutStatus('rolled_back')).toBe(true);
    expect(isFinishedRolloutStatus('paused')).toBe(false);
  });

  it('in-flight targets are unfinished; failures are in flight (rolling back) or finished', () => {
    for (const s of ACTIVE_TARGET_STATUSES) expect(FINISHED_TARGET_STATUSES).not.toContain(s);
    for (const s of FAILURE_TARGET_STATUSES) expect([...FINISHED_TARGET_STATUSES, ...ACTIVE_TARGET_STATUSES]).toContain(s);
  });
});

import { describe, expect, it } from 'vitest';
import { ALERT_KINDS } from '@flotilla/protocol';
import { KIND_OPTIONS, describeCondition, parseThreshold, thresholdUnit } from './alert-rules';

describe('alert rule words', () => {
  it('offers every kind the hub knows', () => {
    expect(KIND_OPTIONS.map((o) => o.kind)).toEqual([...ALERT_KINDS]);
  });

  it('describes each condition with its threshold and unit', () => {
    expect(describeCondition({ kind: 'offline', threshold: 15 })).toBe('Offline longer than 15 minutes');
    expect(describeCondition({ kind: 'health_failing', threshold: 5 })).toBe('Health failing longer than 5 minutes');
    expect(describeCondition({ kind: 'releases_behind', threshold: 2 })).toBe('2 or more releases behind');
    expect(describeCondition({ kind: 'agent_outdated', threshold: 0 })).toBe('Agent version outdated');
    expect(thresholdUnit('agent_outdated')).toBeNull();
  });

  it('reads an empty threshold as "use the default" and passes anything else to the hub to judge', () => {
    expect(parseThreshold('')).toBeUndefined();
    expect(parseThreshold(' 12 ')).toBe(12);
    expect(parseThreshold(0)).toBe(0);
    expect(parseThreshold('1.5')).toBe(1.5);
  });
});

import { describe, expect, it } from 'vitest';
import { appliedRelease, stepRefusal } from './stepped-deploy.js';

const stages = new Map([
  ['r1', 1],
  ['r2', 2],
]);
const count = (id: string) => stages.get(id);

describe('appliedRelease', () => {
  it('is the release of the newest applied desired state that completed one', () => {
    expect(appliedRelease([{ releaseId: 'r1' }], count)).toBe('r1');
    expect(appliedRelease([{ releaseId: 'r2', stage: 2 }, { releaseId: 'r2', stage: 1 }, { releaseId: 'r1' }], count)).toBe('r2');
  });

  it('skips a release only partly applied and rollback steps: the release before counts', () => {
    expect(appliedRelease([{ releaseId: 'r2', stage: 1 }, { releaseId: 'r1', stage: 1 }], count)).toBe('r1');
    expect(appliedRelease([{ releaseId: 'r2', stage: 1, rollback: true }, { releaseId: 'r1' }], count)).toBe('r1');
  });

  it('is null for a single application version, or nothing applied', () => {
    expect(appliedRelease([{}, { releaseId: 'r1' }], count)).toBeNull();
    expect(appliedRelease([], count)).toBeNull();
  });
});

describe('stepRefusal', () => {
  const ready = { version: '2.0.0', status: 'ready' as const, deployment: 'none' as const };
  it('takes a ready release the caller is entitled to', () => {
    expect(stepRefusal(ready, '3.0.0', true)).toBeNull();
  });
  it('names the step on hold, or not covered by the entitlement', () => {
    expect(stepRefusal({ ...ready, status: 'hold' }, '3.0.0', true)).toBe('Required release 2.0.0 comes before 3.0.0 and is on hold: resume it first');
    expect(stepRefusal(ready, '3.0.0', false)).toBe('Required release 2.0.0 comes before 3.0.0, and your entitlement does not cover it: ask your vendor');
  });
});

import { describe, expect, it } from 'vitest';
import type { Membership } from '@flotilla/protocol';
import {
  blockerText,
  applyProgress,
  awaitingApproval,
  canApprove,
  canSteerRollouts,
  currentWaveText,
  progressOf,
  rolloutControls,
  rolloutMessage,
  scheduleAt,
  scheduledApprovals,
  sortRollouts,
  stageText,
  stepText,
  targetStageCount,
  waitingText,
  wavesOf,
} from './rollouts';
import { progress, rollout, target } from '../testing/rollout-fixtures';
import { T1, T2 } from '../testing/fixtures';

const four = () => [
  target('a', { wave: 0 }),
  target('b', { wave: 1 }),
  target('c', { wave: 1 }),
  target('d', { wave: 1 }),
];

describe('applyProgress', () => {
  it('patches the changed targets by installation id and takes status, message and waves', () => {
    const before = rollout('r1', four(), { status: 'pending' });
    const waves = [{ index: 0, total: 1, finished: 1 }, { index: 1, total: 3, finished: 0 }];
    const after = applyProgress(before, progress('r1', [target('a', { status: 'succeeded', stage: 2, finishedAt: T1 }), target('c', { wave: 1, status: 'deploying', stage: 1 })], { status: 'running', waves, message: 'going' }));
    expect(after).not.toBe(before);
    expect(after.status).toBe('running');
    expect(after.message).toBe('going');
    expect(after.waves).toEqual(waves);
    expect(after.targets.map((t) => `${t.installationId}:${t.status}:${t.stage}`)).toEqual(['a:succeeded:2', 'b:pending:0', 'c:deploying:1', 'd:pending:0']);
    // untouched targets are the same objects; the original is not mutated
    expect(after.targets[1]).toBe(before.targets[1]);
    expect(before.targets[0]?.status).toBe('pending');
  });

  it('ignores events of other rollouts', () => {
    const before = rollout('r1', four());
    expect(applyProgress(before, progress('r2', [target('a', { status: 'failed' })]))).toBe(before);
  });

  it('keeps waves when the event has none (pause, resume, abort events carry no targets)', () => {
    const before = rollout('r1', four());
    const after = applyProgress(before, progress('r1', [], { status: 'paused', message: 'paused by u1' }));
    expect(after.waves).toEqual(before.waves);
    expect(after.targets).toEqual(before.targets);
    expect(after.status).toBe('paused');
  });

  it('adds a target it did not list; an unknown status keeps the current one', () => {
    const before = rollout('r1', [target('a')]);
    const after = applyProgress(before, progress('r1', [{ ...target('z', { wave: 1 }), status: 'teleporting' as string, waitingFor: 'moon' as string }], { status: 'exploded' }));
    expect(after.targets.map((t) => t.installationId)).toEqual(['a', 'z']);
    expect(after.targets[1]).toMatchObject({ status: 'pending', waitingFor: null });
    expect(after.status).toBe('running');
  });

  it('never moves a target back, nor a finished rollout, nor a wave count (late or raced events)', () => {
    const shown = rollout('r1', [target('a', { status: 'succeeded', stage: 2, finishedAt: T2 }), target('b', { status: 'deploying', stage: 2 }), target('c', { status: 'rolling_back', stage: 1 })], {
      waves: [{ index: 0, total: 3, finished: 1 }],
    });
    const late = progress('r1', [target('a', { status: 'deploying', stage: 2 }), target('b', { status: 'deploying', stage: 1 }), target('c', { status: 'rolling_back', stage: 2 })], {
      waves: [{ index: 0, total: 3, finished: 0 }],
    });
    const after = applyProgress(shown, late);
    expect(after.targets).toEqual(shown.targets);
    expect(after.waves).toEqual([{ index: 0, total: 3, finished: 1 }]);
    // forward moves do apply: waiting to deploying, stage 1 to 2, deploying to rolling back, rolling back 2 to 1
    const forward = applyProgress(
      rollout('r1', [target('a', { status: 'waiting', waitingFor: 'window' }), target('b', { status: 'deploying', stage: 1 }), target('c', { status: 'deploying', stage: 2 }), target('d', { status: 'rolling_back', stage: 2 })]),
      progress('r1', [target('a', { status: 'deploying', stage: 1 }), target('b', { status: 'deploying', stage: 2 }), target('c', { status: 'rolling_back', stage: 2 }), target('d', { status: 'rolling_back', stage: 1 })]),
    );
    expect(forward.targets.map((t) => `${t.status}@${t.stage}`)).toEqual(['deploying@1', 'deploying@2', 'rolling_back@2', 'rolling_back@1']);
    // waiting for another reason, or approved, is news too
    const approved = applyProgress(rollout('r1', [target('a', { status: 'waiting', waitingFor: 'approval' })]), progress('r1', [target('a', { status: 'waiting', waitingFor: 'window', approved: true })]));
    expect(approved.targets[0]).toMatchObject({ waitingFor: 'window', approved: true });
    const done = rollout('r1', [], { status: 'completed' });
    expect(applyProgress(done, progress('r1', [], { status: 'running', message: 'stale' }))).toMatchObject({ status: 'completed', message: null });
  });

  it('replaying events in order converges whatever snapshot they are applied to', () => {
    const e1 = progress('r1', [target('a', { status: 'deploying', stage: 1 })]);
    const e2 = progress('r1', [target('a', { status: 'deploying', stage: 2 })]);
    const e3 = progress('r1', [target('a', { status: 'succeeded', stage: 2, finishedAt: T2 })], { status: 'completed' });
    const newer = rollout('r1', [target('a', { status: 'deploying', stage: 2 })]);
    const out = [e1, e2, e3].reduce(applyProgress, newer);
    expect(out.targets[0]).toMatchObject({ status: 'succeeded', stage: 2 });
    expect(out.status).toBe('completed');
  });
});

describe('controls and labels', () => {
  it('offers what the hub allows per status', () => {
    expect(rolloutControls('pending')).toEqual(['pause', 'abort']);
    expect(rolloutControls('running')).toEqual(['pause', 'abort']);
    expect(rolloutControls('paused')).toEqual(['resume', 'abort']);
    for (const s of ['completed', 'failed', 'aborted'] as const) expect(rolloutControls(s)).toEqual([]);
  });

  it('says who paused in words', () => {
    const id = '0b5f3c2e-8a51-4c1e-9d8e-3f2b7a6c1d00';
    expect(rolloutMessage(`paused by ${id}`, id)).toBe('paused by you');
    expect(rolloutMessage(`aborted by ${id}`, 'someone-else')).toBe('aborted by a team member');
    expect(rolloutMessage('an installation failed', id)).toBe('an installation failed');
  });

  it('stage k/n and why a target waits', () => {
    expect(stageText({ stage: 0, status: 'pending' }, 2)).toBe('not started');
    expect(stageText({ stage: 0, status: 'skipped' }, 2)).toBe('not deployed');
    expect(stageText({ stage: 1, status: 'deploying' }, 2)).toBe('stage 1/2');
    expect(stageText({ stage: 2, status: 'succeeded' }, 2)).toBe('stage 2/2');
    expect(waitingText({ status: 'waiting', waitingFor: 'window' })).toBe('waiting for its maintenance window');
    expect(waitingText({ status: 'waiting', waitingFor: 'approval' })).toBe('waiting for customer approval');
    expect(waitingText({ status: 'waiting', waitingFor: 'agent' })).toBe('waiting for its agent to connect');
    expect(waitingText({ status: 'deploying', waitingFor: null })).toBeNull();
  });
});

describe('the grid', () => {
  it('one entry per wave in order with its targets; done, active, upcoming', () => {
    const r = rollout('r1', [target('a', { wave: 0, status: 'succeeded' }), target('b', { wave: 1, status: 'deploying' }), target('c', { wave: 1 }), target('d', { wave: 2 })]);
    const grid = wavesOf(r);
    expect(grid.map((w) => [w.index, w.finished, w.total, w.state, w.targets.map((t) => t.installationId).join('')])).toEqual([
      [0, 1, 1, 'done', 'a'],
      [1, 0, 2, 'active', 'bc'],
      [2, 0, 1, 'upcoming', 'd'],
    ]);
    expect(progressOf(r)).toEqual({ finished: 1, total: 4 });
    expect(currentWaveText(r)).toBe('wave 2 of 3');
  });

  it('a wave the hub reports without targets (a customer view) keeps the hub counts', () => {
    const r = rollout('r1', [target('b', { wave: 1 })], { waves: [{ index: 0, total: 1, finished: 1 }, { index: 1, total: 3, finished: 0 }] });
    expect(wavesOf(r).map((w) => [w.index, w.finished, w.total, w.state])).toEqual([
      [0, 1, 1, 'done'],
      [1, 0, 1, 'active'],
    ]);
  });

  it('wave text when everything finished', () => {
    expect(currentWaveText(rollout('r1', [target('a', { status: 'succeeded' })]))).toBe('wave 1 of 1');
    expect(currentWaveText(rollout('r1', []))).toBe('no targets');
  });
});

describe('approvals and roles', () => {
  const vendor = (role: string): Membership => ({ vendorId: 'v1', vendorName: 'V', customerId: null, customerName: null, role: role as Membership['role'] });
  const customer = (role: string, customerId = 'c1'): Membership => ({ vendorId: 'v1', vendorName: 'V', customerId, customerName: 'C', role: role as Membership['role'] });

  it('targets waiting for approval, only in a moving rollout', () => {
    const targets = [target('a', { status: 'waiting', waitingFor: 'approval' }), target('b', { status: 'waiting', waitingFor: 'approval', approved: true }), target('c', { status: 'waiting', waitingFor: 'window' })];
    expect(awaitingApproval(rollout('r1', targets)).map((t) => t.installationId)).toEqual(['a']);
    expect(awaitingApproval(rollout('r1', targets, { status: 'aborted' }))).toEqual([]);
  });

  it('who approves: vendor release managers and admins, the target customer admins', () => {
    expect(canApprove([vendor('admin')], 'c1')).toBe(true);
    expect(canApprove([vendor('release-manager')], 'c1')).toBe(true);
    expect(canApprove([vendor('viewer')], 'c1')).toBe(false);
    expect(canApprove([customer('admin')], 'c1')).toBe(true);
    expect(canApprove([customer('admin')], 'c2')).toBe(false);
    expect(canApprove([customer('viewer')], 'c1')).toBe(false);
    expect(canApprove([], 'c1')).toBe(false);
    expect(canSteerRollouts([vendor('release-manager')])).toBe(true);
    expect(canSteerRollouts([vendor('viewer')])).toBe(false);
    expect(canSteerRollouts([customer('admin')])).toBe(false);
  });

  it('approvals scheduled for later: listed, and said in the cell', () => {
    const later = target('a', { status: 'waiting', waitingFor: 'approval', approved: true, approvedFor: '2030-01-01T02:00:00.000Z' });
    const r = rollout('r1', [later, target('b', { status: 'waiting', waitingFor: 'approval', approved: true }), target('c', { status: 'succeeded', approved: true, approvedFor: T1 })]);
    expect(scheduledApprovals(r).map((t) => t.installationId)).toEqual(['a']);
    expect(awaitingApproval(r)).toEqual([]);
    expect(waitingText(later)).toBe('approved for 2030-01-01 02:00 UTC');
  });

  it('schedules an approval from a datetime-local value: future, within 90 days', () => {
    const now = Date.parse('2030-01-01T00:00:00.000Z');
    const local = (iso: string) => {
      // the browser's local wall-clock time of that instant, as a datetime-local input holds it
      const d = new Date(iso);
      const pad = (n: number) => String(n).padStart(2, '0');
      return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
    };
    expect(scheduleAt(local('2030-01-02T03:00:00.000Z'), now)).toEqual({ ok: true, value: '2030-01-02T03:00:00.000Z' });
    expect(scheduleAt('', now)).toEqual({ ok: false, message: 'Pick a date and time' });
    expect(scheduleAt(local('2029-12-31T23:00:00.000Z'), now)).toEqual({ ok: false, message: 'Pick a time in the future' });
    expect(scheduleAt(local('2030-06-01T00:00:00.000Z'), now)).toEqual({ ok: false, message: 'Pick a time within the next 90 days' });
  });

  it('sorts newest first', () => {
    expect(sortRollouts([rollout('a', [], { createdAt: T1 }), rollout('b', [], { createdAt: T2 })]).map((r) => r.id)).toEqual(['b', 'a']);
  });
});

describe('what a target waits for', () => {
  const none = { since: null, until: null, by: null, timeZone: null, failing: [] };
  it("shows a window's opening in the viewer's zone and the installation's", () => {
    const text = blockerText({ ...none, reason: 'window', message: 'm', until: '2026-12-06T08:05:00.000Z', timeZone: 'America/New_York' }, 'Europe/Berlin');
    expect(text).toBe('Maintenance window opens Sun 6 Dec, 09:05 CET (Sun 6 Dec, 03:05 America/New_York)');
    expect(blockerText({ ...none, reason: 'window', message: 'm', until: '2026-12-06T08:05:00.000Z', timeZone: 'UTC' }, 'UTC')).toBe('Maintenance window opens Sun 6 Dec, 08:05 UTC');
  });
  it('says who approves, which components fail their health check, and until when a wave soaks', () => {
    expect(blockerText({ ...none, reason: 'approval', message: 'm', by: 'an admin of Acme' })).toBe('Waits for approval by an admin of Acme');
    expect(blockerText({ ...none, reason: 'health', message: 'm', until: '2026-12-06T08:05:00.000Z', failing: [{ name: 'api', health: 'degraded', message: 'probe 503' }] }, 'UTC')).toBe('Health check: api degraded (probe 503); fails at Sun 6 Dec, 08:05 UTC');
    expect(blockerText({ ...none, reason: 'soak', message: 'm', until: '2026-12-06T08:05:00.000Z' }, 'UTC')).toBe('Previous wave soaks until Sun 6 Dec, 08:05 UTC');
    expect(blockerText({ ...none, reason: 'slot', message: 'waits for a free slot' })).toBe('Waits for a free slot');
    expect(blockerText(null)).toBeNull();
  });
});

describe('stepText / targetStageCount', () => {
  const steps = [{ releaseId: 'r2', version: '2.0.0', stageCount: 3 }];
  it('names the release a stepping target is on; nothing for one going straight there', () => {
    expect(stepText({ requiredSteps: [], step: 0 }, '3.0.0')).toBeNull();
    expect(stepText({ requiredSteps: steps, step: 0 }, '3.0.0')).toBe('step 1 of 2: required 2.0.0');
    expect(stepText({ requiredSteps: steps, step: 1 }, '3.0.0')).toBe('step 2 of 2: 3.0.0');
  });
  it("counts the stages of the step's release", () => {
    expect(targetStageCount({ requiredSteps: steps, step: 0 }, 1)).toBe(3);
    expect(targetStageCount({ requiredSteps: steps, step: 1 }, 1)).toBe(1);
  });
});

import { describe, expect, it } from 'vitest';
import { RolloutStrategy, type Rollout, type RolloutTimelineEvent } from '@flotilla/protocol';
import { eventLine, healthReason, progressLine, rolloutExitCode, rolloutSummary } from './rollout-view.js';

type Target = Rollout['targets'][number];
const target = (installationId: string, status: Target['status'], wave: number, extra: Partial<Target> = {}): Target => ({
  installationId,
  customerId: 'c',
  wave,
  status,
  waitingFor: null,
  stage: 1,
  approved: false,
  approvedFor: null,
  message: null,
  finishedAt: null,
  blocker: null,
  requiredSteps: [],
  step: 0,
  ...extra,
});
const rollout = (status: Rollout['status'], targets: Target[], message: string | null = null): Rollout => ({
  id: 'r1',
  vendorId: 'v',
  releaseId: 'rel',
  releaseVersion: '1.2.0',
  status,
  strategy: RolloutStrategy.parse({}),
  stageCount: 2,
  message,
  waves: [
    { index: 0, total: 1, finished: targets.filter((t) => t.wave === 0 && ['succeeded', 'failed', 'rolled_back', 'skipped'].includes(t.status)).length },
    { index: 1, total: targets.length - 1, finished: targets.filter((t) => t.wave === 1 && ['succeeded', 'failed', 'rolled_back', 'skipped'].includes(t.status)).length },
  ],
  targets,
  createdAt: '2026-12-05T11:00:00.000Z',
  updatedAt: '2026-12-05T11:00:00.000Z',
  finishedAt: null,
});
const names = new Map([
  ['i1', 'Acme/main'],
  ['i2', 'Globex/main'],
]);

describe('progressLine', () => {
  it('fills the bar by finished targets and names the current wave', () => {
    const r = rollout('running', [target('i1', 'succeeded', 0), target('i2', 'deploying', 1), target('i3', 'pending', 1), target('i4', 'pending', 1)]);
    expect(progressLine(r, 8)).toBe('[##------] 1/4 installations  wave 2/2  running');
  });
  it('counts failures', () => {
    const r = rollout('paused', [target('i1', 'failed', 0), target('i2', 'pending', 1)]);
    expect(progressLine(r, 4)).toBe('[##--] 1/2 installations  wave 2/2  paused  1 failed');
  });
});

describe('eventLine', () => {
  it('shows the time, installation, type, stage and message', () => {
    const e: RolloutTimelineEvent = { id: '7', installationId: 'i1', type: 'failed', stage: 2, revision: 4, message: 'web unhealthy', at: '2026-12-05T11:02:03.456Z' };
    expect(eventLine(e, names)).toBe('11:02:03  Acme/main  failed  stage 2  web unhealthy');
    expect(eventLine({ ...e, installationId: null, type: 'completed', stage: null, message: null }, names)).toBe('11:02:03  rollout  completed');
    expect(eventLine({ ...e, installationId: 'abcdef0123456', stage: null, message: null }, names)).toBe('11:02:03  abcdef01  failed');
  });
});

describe('rolloutExitCode and rolloutSummary', () => {
  it('0 when completed with every target fine (skipped ones too)', () => {
    const r = rollout('completed', [target('i1', 'succeeded', 0), target('i2', 'skipped', 1)]);
    expect(rolloutExitCode(r)).toBe(0);
    expect(rolloutSummary(r, names)).toEqual(['Rollout r1 completed (release 1.2.0; 1 succeeded, 1 skipped)']);
  });
  it('1 when failed, aborted, or completed with a failed or rolled-back target; the reasons listed', () => {
    const failed = rollout('failed', [target('i1', 'failed', 0, { stage: 2, message: 'stage 2 failed: web unhealthy' })], 'installation failed');
    expect(rolloutExitCode(failed)).toBe(1);
    expect(rolloutSummary(failed, names)).toEqual(['Rollout r1 failed (release 1.2.0; 1 failed): installation failed', '  Acme/main: failed at stage 2: stage 2 failed: web unhealthy']);
    expect(rolloutExitCode(rollout('aborted', []))).toBe(1);
    const rolledBack = rollout('completed', [target('i1', 'rolled_back', 0), target('i2', 'succeeded', 1)]);
    expect(rolloutExitCode(rolledBack)).toBe(1);
    expect(rolloutSummary(rolledBack, names)[1]).toBe('  Acme/main: rolled back at stage 1');
  });
  it('2 when paused, unless an installation was rolled back (the release did not make it: 1)', () => {
    expect(rolloutExitCode(rollout('paused', [target('i1', 'failed', 0)]))).toBe(2);
    expect(rolloutExitCode(rollout('paused', [target('i1', 'rolled_back', 0), target('i2', 'pending', 1)]))).toBe(1);
    expect(rolloutExitCode(rollout('paused', [target('i1', 'rolling_back', 0)]))).toBe(1);
  });
  it('adds what the agent reported to the hub\'s reason', () => {
    const r = rollout('paused', [target('i1', 'failed', 0, { message: 'stage 1 failed' })]);
    expect(rolloutSummary(r, names, new Map([['i1', 'failed: 0/1 up; web: unhealthy: disk full']]))[1]).toBe('  Acme/main: failed at stage 1: stage 1 failed — failed: 0/1 up; web: unhealthy: disk full');
  });
});

describe('healthReason', () => {
  const ev = (id: string, health: 'failed' | 'healthy' | 'degraded', at: string, message: string | null) => ({ id, installationId: 'i1', type: 'health', health, message, at });
  it('is the last unhealthy report since the rollout began', () => {
    const events = [ev('4', 'healthy', '2026-12-05T11:00:09.000Z', null), ev('3', 'failed', '2026-12-05T11:00:05.000Z', '0/1 up; web: unhealthy: self-test failed'), ev('1', 'failed', '2026-12-05T10:00:00.000Z', 'old')];
    expect(healthReason(events, '2026-12-05T11:00:00.000Z')).toBe('failed: 0/1 up; web: unhealthy: self-test failed');
    expect(healthReason(events, '2026-12-05T11:00:06.000Z')).toBeUndefined();
    expect(healthReason([{ ...ev('2', 'failed', '2026-12-05T11:00:05.000Z', 'x'), type: 'drift' }], '2026-12-05T11:00:00.000Z')).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import type { RolloutProgress } from '@flotilla/protocol';
import { customerViews } from './notifier.js';

const target = (installationId: string, customerId: string): RolloutProgress['targets'][number] => ({
  installationId, customerId, wave: 0, status: 'deploying', waitingFor: null, stage: 1, approved: false, approvedFor: null, message: null, finishedAt: null, blocker: null, requiredSteps: [], step: 0,
});

describe('customerViews', () => {
  const progress: RolloutProgress = {
    rolloutId: 'r1', status: 'running', message: null,
    waves: [{ index: 0, total: 3, finished: 0 }],
    targets: [target('a1', 'A'), target('b1', 'B'), target('a2', 'A')],
  };

  it('gives each customer its own targets, in order, and no wave totals', () => {
    const views = new Map(customerViews(progress, ['A', 'B']));
    expect(views.get('A')?.targets.map((t) => t.installationId)).toEqual(['a1', 'a2']);
    expect(views.get('B')?.targets.map((t) => t.installationId)).toEqual(['b1']);
    expect([...views.values()].every((v) => v.waves.length === 0 && v.status === 'running' && v.rolloutId === 'r1')).toBe(true);
  });

  it('a customer in scope with no changed target still hears of the rollout; one not in scope hears nothing', () => {
    const views = customerViews(progress, ['C']);
    expect(views).toEqual([['C', { ...progress, waves: [], targets: [] }]]);
  });

  it('10 000 single-site customers each get exactly their own target', () => {
    const many: RolloutProgress = { ...progress, targets: Array.from({ length: 10_000 }, (_, i) => target(`i${i}`, `c${i}`)) };
    const views = customerViews(many, many.targets.map((t) => t.customerId));
    expect(views).toHaveLength(10_000);
    expect(views.every(([customerId, v]) => v.targets.length === 1 && v.targets[0]?.customerId === customerId)).toBe(true);
  });
});

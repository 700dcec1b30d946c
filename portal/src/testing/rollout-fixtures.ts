import { isFinishedTargetStatus, type Rollout, type RolloutProgress, type RolloutTarget } from '@flotilla/protocol';
import { T0 } from './fixtures';

export function target(installationId: string, patch: Partial<RolloutTarget> = {}): RolloutTarget {
  return { installationId, customerId: 'c1', wave: 0, status: 'pending', waitingFor: null, stage: 0, approved: false, approvedFor: null, message: null, finishedAt: null, blocker: null, requiredSteps: [], step: 0, ...patch };
}

export function rollout(id: string, targets: RolloutTarget[], patch: Partial<Rollout> = {}): Rollout {
  const waves = [...new Set(targets.map((t) => t.wave))]
    .sort((a, b) => a - b)
    .map((index) => {
      const mine = targets.filter((t) => t.wave === index);
      return { index, total: mine.length, finished: mine.filter((t) => isFinishedTargetStatus(t.status)).length };
    });
  return {
    id,
    vendorId: 'v1',
    releaseId: 'r1',
    releaseVersion: '2.0.0',
    status: 'running',
    strategy: {
      waves: [{ count: 1 }, { percent: 100 }],
      maxParallel: 2,
      soakSeconds: 0,
      healthTimeoutSeconds: 600,
      failurePolicy: 'pause',
      maxFailures: 0,
      respectMaintenanceWindows: false,
      requireCustomerApproval: false,
      offlineTimeoutSeconds: 3600,
    },
    stageCount: 2,
    message: null,
    waves,
    targets,
    createdAt: T0,
    updatedAt: T0,
    finishedAt: null,
    ...patch,
  };
}

export function progress(rolloutId: string, targets: RolloutProgress['targets'], patch: Partial<RolloutProgress> = {}): RolloutProgress {
  return { rolloutId, status: 'running', message: null, waves: [], targets, ...patch };
}

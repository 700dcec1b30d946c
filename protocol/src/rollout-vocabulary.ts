/**
 * The rollout vocabulary, defined once: the statuses of a rollout and of its targets, which of them
 * are finished, and the strategy's defaults. The REST schemas, the hub's planner, engine and
 * repository, the portal and the SDK all import these; none keeps its own list.
 */

/**
 * pending → running ⇄ paused → completed | failed | aborted | rolled_back. `rolled_back`: failures
 * exceeded `maxFailures` under the `rollback` policy, and every failed installation went back to
 * what it ran before.
 */
export const ROLLOUT_STATUSES = ['pending', 'running', 'paused', 'completed', 'failed', 'aborted', 'rolled_back'] as const;
export type RolloutStatus = (typeof ROLLOUT_STATUSES)[number];

/** A rollout in one of these is over: nothing moves it again. */
export const FINISHED_ROLLOUT_STATUSES = ['completed', 'failed', 'aborted', 'rolled_back'] as const satisfies readonly RolloutStatus[];
/** Not finished: a target in such a rollout cannot join another one. */
export const UNFINISHED_ROLLOUT_STATUSES = ['pending', 'running', 'paused'] as const satisfies readonly RolloutStatus[];

/** pending → waiting(window|approval|agent) → deploying(stage k) → succeeded | failed | rolling_back → rolled_back | skipped */
export const TARGET_STATUSES = ['pending', 'waiting', 'deploying', 'succeeded', 'failed', 'rolling_back', 'rolled_back', 'skipped'] as const;
export type TargetStatus = (typeof TARGET_STATUSES)[number];

/** A target in one of these is done within its rollout. */
export const FINISHED_TARGET_STATUSES = ['succeeded', 'failed', 'rolled_back', 'skipped'] as const satisfies readonly TargetStatus[];
/** A stage is in flight at its agent: these take one of the `maxParallel` slots. */
export const ACTIVE_TARGET_STATUSES = ['deploying', 'rolling_back'] as const satisfies readonly TargetStatus[];
/** Counted against `maxFailures`. */
export const FAILURE_TARGET_STATUSES = ['failed', 'rolling_back', 'rolled_back'] as const satisfies readonly TargetStatus[];

export const WAITING_FOR = ['window', 'approval', 'agent'] as const;
export type WaitingFor = (typeof WAITING_FOR)[number];

export const FAILURE_POLICIES = ['pause', 'rollback', 'continue'] as const;
export type FailurePolicy = (typeof FAILURE_POLICIES)[number];

const has = (list: readonly string[], value: string) => list.includes(value);
export const isFinishedRolloutStatus = (status: string): boolean => has(FINISHED_ROLLOUT_STATUSES, status);
export const isFinishedTargetStatus = (status: string): boolean => has(FINISHED_TARGET_STATUSES, status);
export const isActiveTargetStatus = (status: string): boolean => has(ACTIVE_TARGET_STATUSES, status);

/** The strategy of a rollout created without one, field by field (the schema's defaults). */
export const DEFAULT_ROLLOUT_STRATEGY = {
  waves: [{ percent: 100 }],
  maxParallel: 10,
  soakSeconds: 0,
  healthTimeoutSeconds: 600,
  failurePolicy: 'pause',
  maxFailures: 0,
  respectMaintenanceWindows: true,
  requireCustomerApproval: false,
  offlineTimeoutSeconds: 3600,
} as const satisfies {
  waves: readonly ({ percent: number } | { count: number })[];
  maxParallel: number;
  soakSeconds: number;
  healthTimeoutSeconds: number;
  failurePolicy: FailurePolicy;
  maxFailures: number;
  respectMaintenanceWindows: boolean;
  requireCustomerApproval: boolean;
  offlineTimeoutSeconds: number;
};

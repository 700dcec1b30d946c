import { z } from 'zod';
import { Int32, IsoDate, text } from '../common.js';
import { TargetBlocker } from './rollout-blockers.js';
import { DEFAULT_ROLLOUT_STRATEGY, FAILURE_POLICIES, ROLLOUT_STATUSES, TARGET_STATUSES, WAITING_FOR } from '../rollout-vocabulary.js';

const Name = text(200).trim().min(1);

export const Track = z.object({
  id: z.string(),
  vendorId: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  applicationIds: z.array(z.string()),
  createdAt: IsoDate,
  updatedAt: IsoDate,
});
export type Track = z.infer<typeof Track>;

export const CreateTrackBody = z.object({ name: Name, applicationIds: z.array(z.uuid()).max(100).default([]), description: text(4000).optional() });
export type CreateTrackBody = z.input<typeof CreateTrackBody>;
export const UpdateTrackBody = z
  .object({ name: Name.optional(), applicationIds: z.array(z.uuid()).max(100).optional(), description: text(4000).nullable().optional() })
  .refine((b) => Object.keys(b).length > 0, 'nothing to update');
export type UpdateTrackBody = z.input<typeof UpdateTrackBody>;

export const ReleaseComponent = z.object({
  applicationId: z.uuid(),
  /** The pinned application version; may be empty while the release is a draft. */
  versionId: z.uuid().nullable().optional(),
  /** Markdown shown to whoever deploys this component. */
  instructions: text(20_000).optional(),
});
export type ReleaseComponent = z.infer<typeof ReleaseComponent>;

/** Stages in release order: stage 1's components run (and are healthy) before stage 2's. */
export const ReleaseStages = z.array(z.array(ReleaseComponent).min(1, 'a stage needs at least one component')).max(20);

export const ChecklistItem = z.object({ text: text(500).trim().min(1), done: z.boolean() });
export type ChecklistItem = z.infer<typeof ChecklistItem>;

export const ReleaseStatus = z.enum(['draft', 'ready', 'hold', 'rescinded']);
export const ReleaseDeployment = z.enum(['none', 'partial', 'complete']);

export const Release = z.object({
  id: z.string(),
  vendorId: z.string(),
  trackId: z.string(),
  version: z.string(),
  name: z.string().nullable(),
  notes: z.string().nullable(),
  status: ReleaseStatus,
  locked: z.boolean(),
  /**
   * Required: installations behind it get it before any newer release (rollouts step through it),
   * and no rollback or deploy takes an installation that runs it back below it.
   */
  required: z.boolean(),
  deployment: ReleaseDeployment,
  stages: z.array(z.array(z.object({ applicationId: z.string(), versionId: z.string().nullable(), instructions: z.string().nullable() }))),
  checklist: z.array(ChecklistItem),
  createdAt: IsoDate,
  updatedAt: IsoDate,
  lockedAt: IsoDate.nullable(),
  firstDeployedAt: IsoDate.nullable(),
});
export type Release = z.infer<typeof Release>;

export const SemverString = text(100).trim().min(1);

export const CreateReleaseBody = z.object({
  version: SemverString,
  name: text(200).trim().optional(),
  notes: text(100_000).optional(),
  stages: ReleaseStages.optional(),
  /** Items that must all be ticked before the release can be locked. */
  checklist: z.array(text(500).trim().min(1)).max(100).optional(),
  /** Start from an earlier release of the same track: its stages, instructions and checklist (unticked). */
  cloneFrom: z.uuid().optional(),
  /** Mark it required (see `Release.required`); `POST /releases/:id/{require,unrequire}` change it later. */
  required: z.boolean().optional(),
});
export type CreateReleaseBody = z.input<typeof CreateReleaseBody>;

export const UpdateReleaseBody = z
  .object({
    version: SemverString.optional(),
    name: text(200).trim().nullable().optional(),
    notes: text(100_000).nullable().optional(),
    stages: ReleaseStages.optional(),
    checklist: z.array(ChecklistItem).max(100).optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'nothing to update');
export type UpdateReleaseBody = z.input<typeof UpdateReleaseBody>;

export const Entitlement = z.object({
  id: z.string(),
  vendorId: z.string(),
  customerId: z.string(),
  trackId: z.string(),
  /** A semver range (e.g. ">=1.0.0 <3.0.0"); null = every version. */
  versionRange: z.string().nullable(),
  expiresAt: IsoDate.nullable(),
  createdAt: IsoDate,
});
export type Entitlement = z.infer<typeof Entitlement>;

export const CreateEntitlementBody = z.object({
  customerId: z.uuid(),
  trackId: z.uuid(),
  versionRange: text(200).trim().min(1).optional(),
  expiresAt: IsoDate.optional(),
});
export type CreateEntitlementBody = z.input<typeof CreateEntitlementBody>;
export const UpdateEntitlementBody = z
  .object({ versionRange: text(200).trim().min(1).nullable().optional(), expiresAt: IsoDate.nullable().optional() })
  .refine((b) => Object.keys(b).length > 0, 'nothing to update');
export type UpdateEntitlementBody = z.input<typeof UpdateEntitlementBody>;

/** `GET /fleet/summary`: where the fleet stands, and how far behind each installation is. */
export const FleetSummary = z.object({
  total: z.number().int(),
  online: z.number().int(),
  byHealth: z.record(z.string(), z.number().int()),
  byVersion: z.array(z.object({ trackId: z.string().nullable(), trackName: z.string().nullable(), version: z.string().nullable(), count: z.number().int() })),
  installations: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      customerId: z.string(),
      customerName: z.string(),
      trackId: z.string().nullable(),
      version: z.string().nullable(),
      latestVersion: z.string().nullable(),
      /** Ready releases of the track newer than the one it runs (null: not on a release). */
      releasesBehind: z.number().int().nullable(),
      /** Days since the release it runs was released (Replicated's version age). */
      versionAgeDays: z.number().nullable(),
      health: z.string(),
      online: z.boolean(),
    }),
  ),
});
export type FleetSummary = z.infer<typeof FleetSummary>;

const Day = z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);
const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM, 24 h');
/** A maintenance window: weekly ("Sat 02:00–06:00 Europe/Berlin") or a cron start plus a duration. */
export const MaintenanceWindow = z.union([
  z.object({ days: z.array(Day).min(1).max(7), start: HHMM, end: HHMM, timeZone: text(100).min(1).default('UTC') }).strict(),
  z.object({ cron: text(100).min(9), durationMinutes: z.number().int().min(1).max(7 * 24 * 60), timeZone: text(100).min(1).default('UTC') }).strict(),
]);
export type MaintenanceWindow = z.infer<typeof MaintenanceWindow>;

export const WaveSpec = z.union([
  z.object({ count: Int32.min(1) }).strict(),
  z.object({ percent: z.number().min(0.1).max(100) }).strict(),
  z.object({ installationIds: z.array(z.uuid()).min(1).max(100_000) }).strict(),
]);

export const RolloutStrategy = z
  .object({
    waves: z.array(WaveSpec).min(1).max(20).default(() => DEFAULT_ROLLOUT_STRATEGY.waves.map((w) => ({ ...w }))),
    maxParallel: z.number().int().min(1).max(100_000).default(DEFAULT_ROLLOUT_STRATEGY.maxParallel),
    soakSeconds: z.number().int().min(0).max(7 * 86_400).default(DEFAULT_ROLLOUT_STRATEGY.soakSeconds),
    healthTimeoutSeconds: z.number().int().min(5).max(86_400).default(DEFAULT_ROLLOUT_STRATEGY.healthTimeoutSeconds),
    failurePolicy: z.enum(FAILURE_POLICIES).default(DEFAULT_ROLLOUT_STRATEGY.failurePolicy),
    maxFailures: Int32.min(0).default(DEFAULT_ROLLOUT_STRATEGY.maxFailures),
    respectMaintenanceWindows: z.boolean().default(DEFAULT_ROLLOUT_STRATEGY.respectMaintenanceWindows),
    requireCustomerApproval: z.boolean().default(DEFAULT_ROLLOUT_STRATEGY.requireCustomerApproval),
    offlineTimeoutSeconds: z.number().int().min(10).max(30 * 86_400).default(DEFAULT_ROLLOUT_STRATEGY.offlineTimeoutSeconds),
  })
  .strict();
export type RolloutStrategy = z.infer<typeof RolloutStrategy>;

export const CreateRolloutBody = z.object({
  releaseId: z.uuid(),
  targets: z
    .object({ installationIds: z.array(z.uuid()).optional(), customerIds: z.array(z.uuid()).optional(), all: z.boolean().optional() })
    .strict()
    .refine((t) => t.all === true || (t.installationIds?.length ?? 0) > 0 || (t.customerIds?.length ?? 0) > 0, 'give installationIds, customerIds or all: true'),
  strategy: RolloutStrategy.default(RolloutStrategy.parse({})),
});
export type CreateRolloutBody = z.input<typeof CreateRolloutBody>;

/** `POST /rollouts/:id/targets/:installationId/approve`: now, or scheduled for a later time. */
export const ApproveTargetBody = z.object({ at: IsoDate.optional() }).strict();
export type ApproveTargetBody = z.input<typeof ApproveTargetBody>;

/** A required release a rollout target runs before the rollout's release; `stageCount`: its stages (for progress). */
export const RequiredStep = z.object({ releaseId: z.string(), version: z.string(), stageCount: z.number().int() });
export type RequiredStep = z.infer<typeof RequiredStep>;

export const RolloutTarget = z.object({
  installationId: z.string(),
  customerId: z.string(),
  wave: z.number().int(),
  status: z.enum(TARGET_STATUSES),
  waitingFor: z.enum(WAITING_FOR).nullable(),
  stage: z.number().int(),
  approved: z.boolean(),
  approvedFor: IsoDate.nullable(),
  message: z.string().nullable(),
  finishedAt: IsoDate.nullable(),
  /** What it waits for, while unfinished (null: nothing, or finished). */
  blocker: TargetBlocker.nullable(),
  /**
   * The required releases it runs first, in order, before the rollout's release (empty: it goes
   * straight to the release). Each is deployed and healthy before the next.
   */
  requiredSteps: z.array(RequiredStep),
  /** Which release it is on: 0-based into `requiredSteps`; `requiredSteps.length` = the rollout's release. */
  step: z.number().int(),
});
export type RolloutTarget = z.infer<typeof RolloutTarget>;

export const Rollout = z.object({
  id: z.string(),
  vendorId: z.string(),
  releaseId: z.string(),
  releaseVersion: z.string(),
  status: z.enum(ROLLOUT_STATUSES),
  strategy: RolloutStrategy,
  stageCount: z.number().int(),
  message: z.string().nullable(),
  waves: z.array(z.object({ index: z.number().int(), total: z.number().int(), finished: z.number().int() })),
  targets: z.array(RolloutTarget),
  createdAt: IsoDate,
  updatedAt: IsoDate,
  finishedAt: IsoDate.nullable(),
});
export type Rollout = z.infer<typeof Rollout>;

/**
 * `POST /rollouts/preview` (same body as `POST /rollouts`, nothing is created): the waves the hub
 * would form, and why the installations it would leave out are not eligible.
 */
export const RolloutPreview = z.object({
  waves: z.array(z.object({ index: z.number().int(), installationIds: z.array(z.string()) })),
  eligibleCount: z.number().int(),
  /** The eligible installations that run required releases first, with those releases in order (the others go straight to the release). */
  steps: z.array(z.object({ installationId: z.string(), requiredSteps: z.array(RequiredStep) })),
  ineligible: z.array(
    z.object({
      installationId: z.string(),
      name: z.string(),
      customerName: z.string(),
      reason: z.enum(['no-track', 'other-track', 'not-entitled', 'wrong-agent-kind', 'uninstalling', 'license-expired', 'below-required-release', 'required-release-on-hold', 'required-release-not-entitled']),
      /** The reason in plain words, e.g. "not on a release track". */
      message: z.string(),
    }),
  ),
});
export type RolloutPreview = z.infer<typeof RolloutPreview>;

import { z } from 'zod';
import { IsoDate } from '../common.js';

const Name = z.string().trim().min(1).max(200);

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

export const CreateTrackBody = z.object({ name: Name, applicationIds: z.array(z.uuid()).max(100).default([]), description: z.string().max(4000).optional() });
export type CreateTrackBody = z.input<typeof CreateTrackBody>;
export const UpdateTrackBody = z
  .object({ name: Name.optional(), applicationIds: z.array(z.uuid()).max(100).optional(), description: z.string().max(4000).nullable().optional() })
  .refine((b) => Object.keys(b).length > 0, 'nothing to update');
export type UpdateTrackBody = z.input<typeof UpdateTrackBody>;

export const ReleaseComponent = z.object({
  applicationId: z.uuid(),
  /** The pinned application version; may be empty while the release is a draft. */
  versionId: z.uuid().nullable().optional(),
  /** Markdown shown to whoever deploys this component. */
  instructions: z.string().max(20_000).optional(),
});
export type ReleaseComponent = z.infer<typeof ReleaseComponent>;

/** Stages in release order: stage 1's components run (and are healthy) before stage 2's. */
export const ReleaseStages = z.array(z.array(ReleaseComponent).min(1, 'a stage needs at least one component')).max(20);

export const ChecklistItem = z.object({ text: z.string().trim().min(1).max(500), done: z.boolean() });
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
  deployment: ReleaseDeployment,
  stages: z.array(z.array(z.object({ applicationId: z.string(), versionId: z.string().nullable(), instructions: z.string().nullable() }))),
  checklist: z.array(ChecklistItem),
  createdAt: IsoDate,
  updatedAt: IsoDate,
  lockedAt: IsoDate.nullable(),
  firstDeployedAt: IsoDate.nullable(),
});
export type Release = z.infer<typeof Release>;

export const SemverString = z.string().trim().min(1).max(100);

export const CreateReleaseBody = z.object({
  version: SemverString,
  name: z.string().trim().max(200).optional(),
  notes: z.string().max(100_000).optional(),
  stages: ReleaseStages.optional(),
  /** Items that must all be ticked before the release can be locked. */
  checklist: z.array(z.string().trim().min(1).max(500)).max(100).optional(),
  /** Start from an earlier release of the same track: its stages, instructions and checklist (unticked). */
  cloneFrom: z.uuid().optional(),
});
export type CreateReleaseBody = z.input<typeof CreateReleaseBody>;

export const UpdateReleaseBody = z
  .object({
    version: SemverString.optional(),
    name: z.string().trim().max(200).nullable().optional(),
    notes: z.string().max(100_000).nullable().optional(),
    stages: ReleaseStages.optional(),
    checklist: z.array(ChecklistItem).max(100).optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'nothing to update');
export type UpdateReleaseBody = z.input<typeof UpdateReleaseBody>;

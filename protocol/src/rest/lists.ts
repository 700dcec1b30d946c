import { z } from 'zod';
import { BeforeId, IsoDate, Items, Page, text } from '../common.js';
import { ApiToken, Invite, Member, SessionInfo } from './identity.js';
import { Application, ApplicationVersion, Customer, Installation } from './resources.js';
import { Entitlement, Release, Rollout, Track } from './releases.js';

/** List answers and the query strings of the routes that are not plain `?limit&cursor`. */

export const ApplicationPage = Page(Application);
export const ApplicationVersionPage = Page(ApplicationVersion);
export const CustomerPage = Page(Customer);
export const InstallationPage = Page(Installation);
export const TrackPage = Page(Track);
export const ReleasePage = Page(Release);
export const RolloutPage = Page(Rollout);
export const ApiTokenList = Items(ApiToken);
export const SessionList = Items(SessionInfo);
export const InviteList = Items(Invite);
export const MemberList = Items(Member);
export const EntitlementList = Items(Entitlement);

/** `GET /installations/:id/updates`: newer ready releases the installation's customer may install. */
/** A release a rollout could not bring to an installation: it failed there (and was rolled back, or not). */
export const FailedRelease = z.object({
  releaseId: z.string(),
  version: z.string(),
  rolloutId: z.string(),
  /** The target's outcome: `rolled_back` (back on what it ran before) or `failed`. */
  status: z.enum(['failed', 'rolled_back']),
  /** Why, with the failing checks as the agent reported them. */
  message: z.string().nullable(),
  at: IsoDate.nullable(),
});
export type FailedRelease = z.infer<typeof FailedRelease>;

export const InstallationUpdates = z.object({
  /** The release version the installation runs (null: none deployed yet). */
  currentVersion: z.string().nullable(),
  /** Newest first; releases that failed on this installation are not offered again here. */
  items: z.array(Release),
  /** Releases a rollout failed to bring to this installation, newest attempt first (not updates to offer). */
  failed: z.array(FailedRelease),
});
export type InstallationUpdates = z.infer<typeof InstallationUpdates>;

/** One entry of `GET /rollouts/:id/timeline`, the rollout's persisted history (ids grow with time). */
export const RolloutTimelineEvent = z.object({
  id: z.string(),
  installationId: z.string().nullable(),
  /** started, stage-sent, waiting, succeeded, failed, rollback-stage, rolled_back, skipped, paused, resumed, approved, completed, aborted… */
  type: z.string(),
  stage: z.number().int().nullable(),
  revision: z.number().int().nullable(),
  message: z.string().nullable(),
  at: IsoDate,
});
export type RolloutTimelineEvent = z.infer<typeof RolloutTimelineEvent>;
export const RolloutTimeline = Items(RolloutTimelineEvent);
export type RolloutTimeline = z.infer<typeof RolloutTimeline>;

/** `GET /rollouts/:id/timeline?after=<id>`: only the events after the last one a follower has. */
export const RolloutTimelineQuery = z.object({ after: z.coerce.number().int().min(0).optional() });

/** `GET /installations/:id/events?limit&before`. */
export const InstallationEventsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  /** `nextBefore` of the previous page. */
  before: BeforeId.optional(),
});

/** `DELETE /users/:id?customerId=<uuid>|vendor`: picks the membership of a user who has both. */
export const RemoveMemberQuery = z.object({ customerId: z.union([z.uuid(), z.literal('vendor').transform(() => null)]).optional() });

/** `GET /entitlements?customerId=`. */
export const EntitlementsQuery = z.object({ customerId: z.uuid().optional() });

/** `GET /audit`: filters, newest first. */
export const AuditQuery = z.object({
  action: text(100).optional(),
  actorUserId: z.uuid().optional(),
  targetId: text(200).optional(),
  customerId: z.uuid().optional(),
  from: IsoDate.optional(),
  to: IsoDate.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  /** Id of the last entry of the previous page (entries come newest first). */
  before: BeforeId.optional(),
});
export type AuditQuery = z.infer<typeof AuditQuery>;

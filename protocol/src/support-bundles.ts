import { z } from 'zod';
import { Int32, IsoDate, text } from './common.js';

/*
 * Support bundles: the hub asks an installation's agent to collect its state, runtime facts, the
 * last log lines of each component and host facts, redacted, as one `.tar.gz` it streams back in
 * chunks. Vendor and customer download it; a customer may require its approval first.
 */

/** Redaction patterns: JavaScript regular expression sources, matched case-insensitively against environment keys. */
export const RedactPattern = text(200).min(1).refine((source) => {
  try {
    new RegExp(source, 'i');
    return true;
  } catch {
    return false;
  }
}, 'must be a valid regular expression');

/** Patterns used when the hub configures none (SUPPORT_BUNDLE_REDACT_PATTERNS). */
export const DEFAULT_REDACT_PATTERNS = ['pass', 'secret', 'token', 'key', 'credential', 'auth', 'private'] as const;

/** What replaces a redacted value in every collected file. */
export const REDACTED = '[REDACTED]';

/** hub → agent `bundle:collect` (acked with CommandAck): collect bundle `bundleId` and stream it back. */
export const BundleCollect = z.object({
  bundleId: text(100).min(1),
  /** The last lines of each component's logs. */
  logLines: z.number().int().min(1).max(5000),
  /** Environment keys matching any of these (case-insensitive) have their values redacted. */
  redactPatterns: z.array(RedactPattern).max(50),
  /** Largest bundle the hub stores, in bytes: the agent fails early instead of sending more. */
  maxBytes: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
});
export type BundleCollect = z.infer<typeof BundleCollect>;

/** Raw bytes per chunk before base64 (the agent sends at most this much in one `bundle:chunk`). */
export const BUNDLE_CHUNK_BYTES = 192 * 1024;

/** agent → hub `bundle:chunk` (acked: the next chunk goes once this one is stored). */
export const BundleChunk = z.object({
  bundleId: text(100).min(1),
  /** 0, 1, 2… per bundle. */
  seq: Int32.min(0),
  /** The chunk's bytes, base64. */
  data: z.base64().max(Math.ceil(BUNDLE_CHUNK_BYTES / 3) * 4),
});
export type BundleChunk = z.infer<typeof BundleChunk>;

/** One file of a bundle, as its manifest lists it. */
export const BundleManifestFile = z.object({
  /** Path inside the archive. */
  path: text(500).min(1),
  bytes: z.number().int().min(0),
  /** What the file holds, for the person reviewing what was collected. */
  description: text(500),
  /** How many values were replaced by `[REDACTED]` in this file. */
  redactions: z.number().int().min(0),
});
export type BundleManifestFile = z.infer<typeof BundleManifestFile>;

/** `manifest.json` at the archive's root: exactly what was collected, and how it was redacted. */
export const BundleManifest = z.object({
  bundleId: text(100),
  installationId: text(100),
  createdAt: IsoDate,
  agentKind: text(20),
  agentVersion: text(50),
  logLines: z.number().int().min(0),
  /** The key patterns applied. */
  redactPatterns: z.array(text(200)).max(50),
  /** Per-installation secret values searched for in every file (how many; never the values). */
  secretValues: z.number().int().min(0),
  files: z.array(BundleManifestFile).max(2000),
  /** Steps that could not be collected (e.g. a component's logs), with why. */
  problems: z.array(text(2000)).max(500).default([]),
});
export type BundleManifest = z.infer<typeof BundleManifest>;

/** agent → hub `bundle:end`: every chunk was sent; the hub checks size and digest. */
export const BundleEnd = z.object({
  bundleId: text(100).min(1),
  /** Hex SHA-256 of the whole archive. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  /** Chunks sent (seq 0 … chunks-1). */
  chunks: Int32.min(0),
  manifest: BundleManifest,
});
export type BundleEnd = z.infer<typeof BundleEnd>;

/** agent → hub `bundle:failed`: the agent could not collect or send the bundle. */
export const BundleFailed = z.object({
  bundleId: text(100).min(1),
  message: text(2000),
});
export type BundleFailed = z.infer<typeof BundleFailed>;

// ---- REST ----------------------------------------------------------------------------------------

/** awaiting-approval → (approved) collecting → ready | failed; awaiting-approval → rejected. */
export const SupportBundleStatus = z.enum(['awaiting-approval', 'collecting', 'ready', 'failed', 'rejected']);
export type SupportBundleStatus = z.infer<typeof SupportBundleStatus>;

export const SupportBundle = z.object({
  id: z.string(),
  installationId: z.string(),
  customerId: z.string(),
  status: SupportBundleStatus,
  /** Why it failed or was rejected, or what it waits for. */
  message: z.string().nullable(),
  logLines: z.number().int(),
  /** Bytes received so far (collecting) or in total (ready). */
  bytes: z.number().int(),
  sha256: z.string().nullable(),
  requestedBy: z.object({ userId: z.string().nullable(), email: z.string().nullable(), customer: z.boolean() }),
  /** Who approved or rejected it (null: nobody needed to, or not yet). */
  decidedBy: z.object({ userId: z.string().nullable(), email: z.string().nullable() }).nullable(),
  decidedAt: IsoDate.nullable(),
  createdAt: IsoDate,
  completedAt: IsoDate.nullable(),
  /** Deleted (with its archive) after this instant (SUPPORT_BUNDLE_RETENTION_DAYS). */
  expiresAt: IsoDate,
});
export type SupportBundle = z.infer<typeof SupportBundle>;

/** `GET /support-bundles/:id`: the bundle and, once ready, its manifest (exactly what was collected). */
export const SupportBundleDetail = SupportBundle.extend({ manifest: BundleManifest.nullable() });
export type SupportBundleDetail = z.infer<typeof SupportBundleDetail>;

export const SupportBundleList = z.object({ items: z.array(SupportBundle) });
export type SupportBundleList = z.infer<typeof SupportBundleList>;

export const CreateSupportBundleBody = z
  .object({
    /** The last lines of each component's logs (default 500). */
    logLines: z.number().int().min(1).max(5000).optional(),
  })
  .strict();
export type CreateSupportBundleBody = z.infer<typeof CreateSupportBundleBody>;

export const RejectSupportBundleBody = z.object({ reason: text(1000).optional() }).strict();
export type RejectSupportBundleBody = z.infer<typeof RejectSupportBundleBody>;

/** A customer's rule for support bundles: whether its admins approve each one before it is collected. */
export const SupportBundlePolicy = z.object({
  customerId: z.string(),
  requireApproval: z.boolean(),
});
export type SupportBundlePolicy = z.infer<typeof SupportBundlePolicy>;

export const UpdateSupportBundlePolicyBody = z.object({ requireApproval: z.boolean() }).strict();
export type UpdateSupportBundlePolicyBody = z.infer<typeof UpdateSupportBundlePolicyBody>;

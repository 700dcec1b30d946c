import { DEFAULT_REDACT_PATTERNS } from '@flotilla/protocol';

/** Support bundle limits (SUPPORT_BUNDLE_* in the configuration). */
export interface SupportBundleSettings {
  /** Largest archive stored; a bundle growing past it fails. */
  maxBytes: number;
  /** Bundles (and their archives) are deleted this long after they were asked for. */
  retentionMs: number;
  /** A collecting bundle whose agent sent nothing for this long fails. */
  timeoutMs: number;
  /** Environment keys matching any of these (case-insensitive regular expressions) have their values redacted. */
  redactPatterns: string[];
}

export const DEFAULT_SUPPORT_BUNDLE_SETTINGS: SupportBundleSettings = {
  maxBytes: 50 * 1024 * 1024,
  retentionMs: 14 * 24 * 3600_000,
  timeoutMs: 10 * 60_000,
  redactPatterns: [...DEFAULT_REDACT_PATTERNS],
};

/** Log lines per component when the request does not say. */
export const DEFAULT_BUNDLE_LOG_LINES = 500;

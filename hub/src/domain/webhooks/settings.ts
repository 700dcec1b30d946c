/** How webhooks are delivered (from the hub's configuration). */
export interface WebhookSettings {
  /** Targets on loopback, private and link-local networks are allowed (WEBHOOK_ALLOW_PRIVATE). */
  allowPrivate: boolean;
  /** Attempts per delivery, the first included. */
  maxAttempts: number;
  /** The first retry waits this long, each next one twice as long (exponential backoff). */
  retryBaseMs: number;
  /** An endpoint failing this long when a delivery gives up is disabled. */
  disableAfterMs: number;
  /** One attempt's time limit. */
  timeoutMs: number;
  /** How often the event outbox looks for new happenings. */
  pollMs: number;
  /** A delivery still unattempted this long after it was written lost its job (its process stopped between commit and queue): queued again. */
  strandedAfterMs: number;
  /** Finished deliveries (succeeded, failed, cancelled) are kept this long in the delivery log. */
  logRetentionMs: number;
}

/** 8 attempts, 1 min doubling: retries over ~4 h; an endpoint failing for 3 days is turned off. */
export const DEFAULT_WEBHOOK_SETTINGS: WebhookSettings = {
  allowPrivate: false,
  maxAttempts: 8,
  retryBaseMs: 60_000,
  disableAfterMs: 3 * 24 * 3600_000,
  timeoutMs: 10_000,
  pollMs: 1000,
  strandedAfterMs: 5 * 60_000,
  logRetentionMs: 30 * 24 * 3600_000,
};

import path from 'node:path';
import { z } from 'zod';
import { fileURLToPath } from 'node:url';
import { summarizeIssues } from '@flotilla/protocol';
import { HUB_VERSION } from './version.js';
import { DEFAULT_WEBHOOK_SETTINGS, type WebhookSettings } from './domain/webhooks/settings.js';
import { DEFAULT_LOG_FOLLOW_SETTINGS, type LogFollowSettings } from './domain/logs/log-follow-settings.js';
import { DEFAULT_SUPPORT_BUNDLE_SETTINGS, type SupportBundleSettings } from './domain/support-bundles/settings.js';
import { RedactPattern } from '@flotilla/protocol';

// hub/dist/src/config.js → <repo>/portal/dist
const DEFAULT_PORTAL_DIR = fileURLToPath(new URL('../../../portal/dist', import.meta.url));

const LogLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

const emptyToUndefined = (v: unknown) => (v === '' ? undefined : v);

const url = (protocols: string[]) =>
  z
    .string()
    .refine((v) => URL.canParse(v) && protocols.includes(new URL(v).protocol), {
      message: `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`,
    });

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** Every environment variable the hub reads, with its default. README's configuration table mirrors this. */
const EnvSchema = z.object({
  PORT: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(65535).default(8080)),
  HOST: z.preprocess(emptyToUndefined, z.string().min(1).default('0.0.0.0')),
  PUBLIC_URL: z.preprocess(emptyToUndefined, url(['http:', 'https:']).optional()),
  DATABASE_URL: z.preprocess(emptyToUndefined, url(['postgres:', 'postgresql:']).optional()),
  REDIS_URL: z.preprocess(emptyToUndefined, url(['redis:', 'rediss:']).optional()),
  /** Key prefix for everything the hub puts in Redis (BullMQ queues, adapter stream). */
  REDIS_PREFIX: z.preprocess(emptyToUndefined, z.string().regex(/^[A-Za-z0-9:_-]{1,64}$/).default('flotilla')),
  DATA_DIR: z.preprocess(emptyToUndefined, z.string().min(1).default('.flotilla')),
  LOG_LEVEL: z.preprocess(emptyToUndefined, LogLevel.default('info')),
  /** Grace period for SIGTERM/SIGINT before the process exits anyway. */
  SHUTDOWN_TIMEOUT_MS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(100).max(120_000).default(25_000)),
  /** A process whose event loop is blocked this long is killed by its watchdog (0 = never). */
  EVENT_LOOP_STALL_EXIT_SECONDS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(3600).default(120)),
  /** Run queue workers in this process (turn off for API-only nodes). */
  WORKERS: z.preprocess(emptyToUndefined, bool.default(true)),
  /** Port of the embedded PostgreSQL; 0 picks a free one at each start. */
  EMBEDDED_PG_PORT: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(65535).default(0)),
  /** Let anyone create a vendor account at POST /auth/signup (turn off for private hubs). */
  SIGNUP_ENABLED: z.preprocess(emptyToUndefined, bool.default(true)),
  /** Image the agent install manifest runs. */
  AGENT_COMPOSE_IMAGE: z.preprocess(emptyToUndefined, z.string().min(1).max(300).optional()),
  AGENT_HELM_IMAGE: z.preprocess(emptyToUndefined, z.string().min(1).max(300).optional()),
  /** How long a single-use agent install link stays valid. */
  INSTALL_TOKEN_TTL_HOURS: z.preprocess(emptyToUndefined, z.coerce.number().min(0.01).max(24 * 30).default(24)),
  /** When set, invites are mailed through this SMTP server (smtp:// or smtps://). */
  SMTP_URL: z.preprocess(emptyToUndefined, url(['smtp:', 'smtps:']).optional()),
  SMTP_FROM: z.preprocess(emptyToUndefined, z.string().min(3).default('Flotilla <no-reply@localhost>')),
  /** Behind a TLS-terminating proxy: trust its X-Forwarded-For/-Proto. Off by default, so clients cannot pick their own IP. */
  TRUST_PROXY: z.preprocess(emptyToUndefined, bool.default(false)),
  /** Requests per minute allowed to one session or API token. */
  API_RATE_LIMIT_PER_MINUTE: z.preprocess(emptyToUndefined, z.coerce.number().int().min(10).max(1_000_000).default(1200)),
  /** Bearer token a Prometheus scraper presents at /metrics; unset: /metrics answers loopback clients only. */
  METRICS_TOKEN: z.preprocess(emptyToUndefined, z.string().min(16, 'must be at least 16 characters').max(200).optional()),
  /** Days of hourly uptime roll-ups kept (the 30 d uptime window needs 31). */
  UPTIME_RETENTION_DAYS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(31).max(3660).default(35)),
  /**
   * Encrypts secrets the hub must read again (webhook signing secrets, install-link agent secrets, license
   * signing keys) at rest, AES-256-GCM. Every hub process of one deployment needs the same value. Unset
   * in embedded mode: one is generated and kept in DATA_DIR/secrets.key; unset with DATABASE_URL: stored plain.
   */
  SECRETS_KEY: z.preprocess(emptyToUndefined, z.string().min(32, 'at least 32 characters (e.g. openssl rand -base64 32)').max(1000).optional()),
  /** Encrypts each vendor's license signing key at rest (AES-256); defaults to SECRETS_KEY. */
  LICENSE_KEY_SECRET: z.preprocess(emptyToUndefined, z.string().min(16, 'at least 16 characters').optional()),
  /** How often alert rules are evaluated. */
  ALERT_EVALUATION_SECONDS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(5).max(3600).default(60)),
  /** E-mail notifications are queued per user and sent as one digest per user this often. */
  NOTIFY_DIGEST_SECONDS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(86_400).default(300)),
  /** Live log tails: lines and bytes per second each follow may carry (beyond: dropped, counted), and its longest life. */
  LOG_FOLLOW_LINES_PER_SECOND: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(10_000).default(DEFAULT_LOG_FOLLOW_SETTINGS.linesPerSecond)),
  LOG_FOLLOW_BYTES_PER_SECOND: z.preprocess(emptyToUndefined, z.coerce.number().int().min(256).max(10_000_000).default(DEFAULT_LOG_FOLLOW_SETTINGS.bytesPerSecond)),
  LOG_FOLLOW_MAX_MINUTES: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(1440).default(DEFAULT_LOG_FOLLOW_SETTINGS.maxDurationSeconds / 60)),
  /** Let webhooks reach loopback, private and link-local addresses (on-premises receivers; tests). Off: such targets are refused. */
  WEBHOOK_ALLOW_PRIVATE: z.preprocess(emptyToUndefined, bool.default(false)),
  /** Attempts per webhook delivery (the first included), retried with exponential backoff. */
  WEBHOOK_MAX_ATTEMPTS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(30).default(8)),
  /** Wait before the first webhook retry; each next one waits twice as long. */
  WEBHOOK_RETRY_BASE_SECONDS: z.preprocess(emptyToUndefined, z.coerce.number().min(0.01).max(86_400).default(60)),
  /** An endpoint still failing this long after its first failure, when a delivery gives up, is disabled. */
  WEBHOOK_DISABLE_AFTER_HOURS: z.preprocess(emptyToUndefined, z.coerce.number().min(0).max(24 * 90).default(72)),
  /** Days finished webhook deliveries stay in the delivery log. */
  WEBHOOK_LOG_RETENTION_DAYS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(3660).default(30)),
  /** Support bundles: the largest archive stored (bytes), days kept, minutes an agent may stay silent while collecting. */
  SUPPORT_BUNDLE_MAX_BYTES: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1024).max(10 * 1024 ** 3).default(DEFAULT_SUPPORT_BUNDLE_SETTINGS.maxBytes)),
  SUPPORT_BUNDLE_RETENTION_DAYS: z.preprocess(emptyToUndefined, z.coerce.number().min(0.0001).max(3660).default(DEFAULT_SUPPORT_BUNDLE_SETTINGS.retentionMs / 86_400_000)),
  SUPPORT_BUNDLE_TIMEOUT_MINUTES: z.preprocess(emptyToUndefined, z.coerce.number().min(0.05).max(1440).default(DEFAULT_SUPPORT_BUNDLE_SETTINGS.timeoutMs / 60_000)),
  /** Comma-separated regular expressions (case-insensitive): environment keys whose values bundles redact. */
  SUPPORT_BUNDLE_REDACT_PATTERNS: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .transform((v) => v.split(',').map((p) => p.trim()).filter((p) => p !== ''))
      .pipe(z.array(RedactPattern).min(1).max(50))
      .optional(),
  ),
  /** Built portal served at /; defaults to the monorepo's portal/dist. */
  PORTAL_DIR: z.preprocess(emptyToUndefined, z.string().min(1).optional()),
});

export type LogLevel = z.infer<typeof LogLevel>;

export interface Config {
  port: number;
  host: string;
  /** Where browsers and agents reach this hub; defaults to http://localhost:<port>. */
  publicUrl: string;
  /** PUBLIC_URL was set: `publicUrl` is the operator's, not a guess that only works on this machine. */
  publicUrlConfigured: boolean;
  /** Absent: the hub starts an embedded PostgreSQL under `dataDir`. */
  databaseUrl: string | undefined;
  /** Absent: queues run on PostgreSQL and sockets use the in-memory adapter. */
  redisUrl: string | undefined;
  redisPrefix: string;
  dataDir: string;
  logLevel: LogLevel;
  shutdownTimeoutMs: number;
  eventLoopStallExitMs: number;
  workers: boolean;
  embeddedPgPort: number;
  signupEnabled: boolean;
  agentComposeImage: string;
  agentHelmImage: string;
  installTokenTtlMs: number;
  portalDir: string;
  smtpUrl: string | undefined;
  smtpFrom: string;
  apiRateLimitPerMinute: number;
  trustProxy: boolean;
  uptimeRetentionDays: number;
  licenseKeySecret: string | undefined;
  /** SECRETS_KEY as configured; in embedded mode `resolveSecretsKey` supplies a generated one. */
  secretsKey: string | undefined;
  metricsToken: string | undefined;
  webhooks: WebhookSettings;
  alertEvaluationMs: number;
  notifyDigestSeconds: number;
  logFollow: LogFollowSettings;
  supportBundles: SupportBundleSettings;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment once; the only place in the hub that reads `process.env`. */
export function loadConfig(env: Record<string, string | undefined> = process.env, cwd = process.cwd()): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(`Invalid configuration: ${summarizeIssues(parsed.error.issues)}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    publicUrlConfigured: e.PUBLIC_URL !== undefined,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.REDIS_PREFIX,
    dataDir: path.resolve(cwd, e.DATA_DIR),
    logLevel: e.LOG_LEVEL,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    eventLoopStallExitMs: e.EVENT_LOOP_STALL_EXIT_SECONDS * 1000,
    workers: e.WORKERS,
    embeddedPgPort: e.EMBEDDED_PG_PORT,
    signupEnabled: e.SIGNUP_ENABLED,
    agentComposeImage: e.AGENT_COMPOSE_IMAGE ?? `flotilla/agent-compose:${HUB_VERSION}`,
    agentHelmImage: e.AGENT_HELM_IMAGE ?? `flotilla/agent-helm:${HUB_VERSION}`,
    installTokenTtlMs: Math.round(e.INSTALL_TOKEN_TTL_HOURS * 3600_000),
    portalDir: e.PORTAL_DIR ? path.resolve(cwd, e.PORTAL_DIR) : DEFAULT_PORTAL_DIR,
    smtpUrl: e.SMTP_URL,
    smtpFrom: e.SMTP_FROM,
    apiRateLimitPerMinute: e.API_RATE_LIMIT_PER_MINUTE,
    trustProxy: e.TRUST_PROXY,
    uptimeRetentionDays: e.UPTIME_RETENTION_DAYS,
    licenseKeySecret: e.LICENSE_KEY_SECRET,
    secretsKey: e.SECRETS_KEY,
    metricsToken: e.METRICS_TOKEN,
    alertEvaluationMs: e.ALERT_EVALUATION_SECONDS * 1000,
    notifyDigestSeconds: e.NOTIFY_DIGEST_SECONDS,
    logFollow: {
      ...DEFAULT_LOG_FOLLOW_SETTINGS,
      linesPerSecond: e.LOG_FOLLOW_LINES_PER_SECOND,
      bytesPerSecond: e.LOG_FOLLOW_BYTES_PER_SECOND,
      maxDurationSeconds: e.LOG_FOLLOW_MAX_MINUTES * 60,
    },
    supportBundles: {
      maxBytes: e.SUPPORT_BUNDLE_MAX_BYTES,
      retentionMs: Math.round(e.SUPPORT_BUNDLE_RETENTION_DAYS * 86_400_000),
      timeoutMs: Math.round(e.SUPPORT_BUNDLE_TIMEOUT_MINUTES * 60_000),
      redactPatterns: e.SUPPORT_BUNDLE_REDACT_PATTERNS ?? DEFAULT_SUPPORT_BUNDLE_SETTINGS.redactPatterns,
    },
    webhooks: {
      ...DEFAULT_WEBHOOK_SETTINGS,
      allowPrivate: e.WEBHOOK_ALLOW_PRIVATE,
      maxAttempts: e.WEBHOOK_MAX_ATTEMPTS,
      retryBaseMs: Math.round(e.WEBHOOK_RETRY_BASE_SECONDS * 1000),
      disableAfterMs: Math.round(e.WEBHOOK_DISABLE_AFTER_HOURS * 3600_000),
      logRetentionMs: e.WEBHOOK_LOG_RETENTION_DAYS * 24 * 3600_000,
    },
  };
}

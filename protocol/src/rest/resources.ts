import { z } from 'zod';
import { AgentKind, ComponentName, EnvName, Health, IsoDate, text } from '../common.js';
import { ComposeSpec, HelmSpec } from '../agent.js';
import { InstallationStatus } from '../live.js';
import { MaintenanceWindow } from './releases.js';

const Name = text(200).trim().min(1);

/** A compose version as vendors write it: the installation's own environment is configured per installation. */
export const ComposeVersionSpec = ComposeSpec.omit({ environment: true, secretKeys: true });
export type ComposeVersionSpec = z.infer<typeof ComposeVersionSpec>;

export const ApplicationKind = AgentKind;
export type ApplicationKind = z.infer<typeof ApplicationKind>;

export const Application = z.object({
  id: z.string(),
  vendorId: z.string(),
  name: z.string(),
  kind: ApplicationKind,
  description: z.string().nullable(),
  createdAt: IsoDate,
  updatedAt: IsoDate,
});
export type Application = z.infer<typeof Application>;

export const CreateApplicationBody = z.object({ name: Name, kind: ApplicationKind, description: text(4000).optional() });
export type CreateApplicationBody = z.input<typeof CreateApplicationBody>;
export const UpdateApplicationBody = z
  .object({ name: Name.optional(), description: text(4000).nullable().optional() })
  .refine((b) => Object.keys(b).length > 0, 'nothing to update');
export type UpdateApplicationBody = z.input<typeof UpdateApplicationBody>;

export const VersionString = z.string().trim().min(1).max(100).regex(/^[A-Za-z0-9][A-Za-z0-9._+-]*$/, 'letters, digits, ".", "_", "+", "-"');

/** A helm version as the REST API shows it: the registry password is never returned, only that one is set. */
export const HelmSpecView = HelmSpec.omit({ credentials: true }).extend({
  credentials: z.object({ username: z.string(), passwordSet: z.literal(true) }).optional(),
});
export type HelmSpecView = z.infer<typeof HelmSpecView>;

export const ApplicationVersion = z.object({
  id: z.string(),
  applicationId: z.string(),
  version: z.string(),
  compose: ComposeVersionSpec.nullable(),
  helm: HelmSpecView.nullable(),
  notes: z.string().nullable(),
  createdAt: IsoDate,
  /** Archived versions are hidden from new releases and deploys but kept for history; null = active. */
  archivedAt: IsoDate.nullable(),
  /** Ever deployed or pinned by a release: such a version can be archived, never deleted. */
  inUse: z.boolean(),
});
export type ApplicationVersion = z.infer<typeof ApplicationVersion>;

export const CreateVersionBody = z.union([
  z.object({ version: VersionString, compose: ComposeVersionSpec, notes: text(20_000).optional() }).strict(),
  z.object({ version: VersionString, helm: HelmSpec, notes: text(20_000).optional() }).strict(),
]);
export type CreateVersionBody = z.input<typeof CreateVersionBody>;
/** `PATCH /applications/:id/versions/:vid`: the notes, and archive (`true`) or restore (`false`). */
export const UpdateVersionBody = z
  .object({ notes: text(20_000).nullable().optional(), archived: z.boolean().optional() })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'nothing to update');
export type UpdateVersionBody = z.input<typeof UpdateVersionBody>;

export const Environment = text(50).trim().min(1);

export const Customer = z.object({
  id: z.string(),
  vendorId: z.string(),
  name: z.string(),
  /** Self-service: how many installations the customer's admins may have (null: no limit). */
  maxInstallations: z.number().int().nullable(),
  /** Self-service: the environments they may create installations in (null: any). */
  allowedEnvironments: z.array(z.string()).nullable(),
  createdAt: IsoDate,
  updatedAt: IsoDate,
});
export type Customer = z.infer<typeof Customer>;
/** The limits the vendor sets on a customer's self-service (its own users are not bound by them). */
const customerLimits = {
  maxInstallations: z.number().int().min(0).max(100_000).nullable().optional(),
  allowedEnvironments: z.array(Environment).max(50).nullable().optional(),
};
export const CreateCustomerBody = z.object({ name: Name, ...customerLimits });
export type CreateCustomerBody = z.input<typeof CreateCustomerBody>;
export const UpdateCustomerBody = z.object({ name: Name.optional(), ...customerLimits }).refine((b) => Object.values(b).some((v) => v !== undefined), 'nothing to update');
export type UpdateCustomerBody = z.input<typeof UpdateCustomerBody>;

export const InstallationLifecycle = z.enum(['active', 'uninstalling']);
export type InstallationLifecycle = z.infer<typeof InstallationLifecycle>;

/** `DELETE /installations/:id?uninstall=true` → 202: the uninstall command sent to the agent. */
export const UninstallResponse = z.object({ commandId: z.string() });
export type UninstallResponse = z.infer<typeof UninstallResponse>;
export const DeleteInstallationQuery = z.object({ uninstall: z.enum(['true', 'false']).default('false').transform((v) => v === 'true') });


export const Installation = z.object({
  id: z.string(),
  vendorId: z.string(),
  customerId: z.string(),
  customerName: z.string(),
  name: z.string(),
  environment: z.string(),
  agentKind: AgentKind,
  trackId: z.string().nullable(),
  agentId: z.string().nullable(),
  maintenanceWindows: z.array(MaintenanceWindow),
  /** Helm installations: the agent gets a ClusterRole instead of a namespace-scoped Role. */
  clusterScoped: z.boolean(),
  /** Helm values overrides per component name (YAML mappings), deep-merged over the version defaults on deploy. */
  helmValues: z.record(z.string(), z.string()),
  createdAt: IsoDate,
  updatedAt: IsoDate,
  status: InstallationStatus,
  /**
   * `uninstalling`: `DELETE /installations/:id?uninstall=true` sent the agent an `uninstall` command;
   * the installation is removed when the agent reports it done (`installation:removed`).
   */
  lifecycle: InstallationLifecycle,
  /** Percent of the last 24 h connected and healthy; null before the first agent connection. */
  uptime24h: z.number().nullable(),
});
export type Installation = z.infer<typeof Installation>;

export const CreateInstallationBody = z.object({
  customerId: text(100).min(1),
  name: Name,
  environment: Environment,
  agentKind: AgentKind,
  trackId: text(100).min(1).optional(),
  /** Helm only: grant the agent cluster-wide rights (ClusterRole) instead of its namespace's. */
  clusterScoped: z.boolean().optional(),
});
export type CreateInstallationBody = z.input<typeof CreateInstallationBody>;

export const UpdateInstallationBody = z
  .object({
    name: Name.optional(),
    environment: Environment.optional(),
    /** Empty = always open. An installation outside all its windows waits in rollouts that respect them. */
    maintenanceWindows: z.array(MaintenanceWindow).max(20).optional(),
    clusterScoped: z.boolean().optional(),
    /**
     * Helm values overrides keyed by component name, each a YAML mapping; replaces the whole set
     * (`{}` clears it). Takes effect on the next deploy.
     */
    helmValues: z.record(ComponentName, text(256_000)).optional(),
    /** The release track the installation follows; `null` takes it off any track. */
    trackId: text(100).min(1).nullable().optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'nothing to update');
export type UpdateInstallationBody = z.input<typeof UpdateInstallationBody>;

export const AgentCredentials = z.object({
  agentId: z.string(),
  secret: z.string(),
  installUrl: z.string(),
  installCommand: z.string(),
  expiresAt: IsoDate,
  /** The hub URL the agent is told to connect to (`PUBLIC_URL`, or the hub's own address). */
  hubUrl: z.string(),
  /** False when `PUBLIC_URL` is unset and `hubUrl` is a guess (the portal warns off localhost). */
  hubUrlConfigured: z.boolean(),
});
export type AgentCredentials = z.infer<typeof AgentCredentials>;

export const DeployBody = z.union([
  z.object({ versionId: text(100).min(1) }).strict(),
  z.object({ releaseId: text(100).min(1) }).strict(),
]);
export type DeployBody = z.input<typeof DeployBody>;
/**
 * `202` to a deploy. A release past required releases the installation has not run becomes a
 * one-installation rollout (`rolloutId`) that runs each required release, then the target (`steps`:
 * the releases in order, the target last); `revision` is then the installation's desired revision
 * once that rollout made its first move (its first step's when the agent took it at once).
 */
export const DeployResponse = z.object({
  revision: z.number().int(),
  rolloutId: z.string().optional(),
  steps: z.array(z.object({ releaseId: z.string(), version: z.string(), stageCount: z.number().int() })).optional(),
});
export type DeployResponse = z.infer<typeof DeployResponse>;

export const UptimeWindow = z.enum(['24h', '7d', '30d']);
export type UptimeWindow = z.infer<typeof UptimeWindow>;
export const UptimeQuery = z.object({ window: UptimeWindow.default('24h') });
/** One bar of the uptime strip; the percentages add up to 100 (of the part of the segment already elapsed). */
export const UptimeSegment = z.object({
  start: IsoDate,
  end: IsoDate,
  /** Connected and healthy. */
  onlinePercent: z.number(),
  /** Connected, not healthy. */
  degradedPercent: z.number(),
  /** Not connected (or before the installation existed: see `noDataPercent`). */
  offlinePercent: z.number(),
  /** Before the installation was created, or in the future. */
  noDataPercent: z.number(),
  /** Disconnections and turns to an unhealthy state that began in this segment. */
  incidents: z.number().int(),
});
export type UptimeSegment = z.infer<typeof UptimeSegment>;
export const UptimeResponse = z.object({
  installationId: z.string(),
  window: UptimeWindow,
  from: IsoDate,
  to: IsoDate,
  /** Time connected and healthy / elapsed time, in percent; null when the agent never connected. */
  uptimePercent: z.number().nullable(),
  connectedPercent: z.number().nullable(),
  /** The status-page bar: one segment per hour (24h) or per day (7d, 30d), oldest first, read from the hourly roll-ups. */
  bucket: z.enum(['hour', 'day']),
  segments: z.array(UptimeSegment),
});
export type UptimeResponse = z.infer<typeof UptimeResponse>;

export const InstallationEvent = z.object({
  id: z.string(),
  installationId: z.string(),
  type: z.string(),
  health: Health.nullable(),
  message: z.string().nullable(),
  at: IsoDate,
});
export type InstallationEvent = z.infer<typeof InstallationEvent>;
/** `GET /installations/:id/events?limit&before`: newest first; `nextBefore` pages on (null = no older events). */
export const InstallationEventsPage = z.object({ items: z.array(InstallationEvent), nextBefore: z.number().int().nullable() });
export type InstallationEventsPage = z.infer<typeof InstallationEventsPage>;

/** Bounds of an installation's configuration (per component). */
export const CONFIG_LIMITS = { components: 50, entries: 200, valueChars: 32_000, helmValuesChars: 256_000 } as const;

/** One component's configuration as the API shows it: secret values are never returned, only that each is set. */
export const ComponentConfig = z.object({
  component: ComponentName,
  env: z.record(z.string(), z.string()),
  secrets: z.array(z.object({ name: z.string(), set: z.literal(true) })),
  /** Helm: the values override (YAML mapping) deep-merged over the version defaults; null: none. */
  helmValues: z.string().nullable(),
});
export type ComponentConfig = z.infer<typeof ComponentConfig>;

export const InstallationConfig = z.object({
  installationId: z.string(),
  agentKind: AgentKind,
  /** Every component the installation runs or its track ships for its agent kind, configured or not. */
  components: z.array(ComponentConfig),
});
export type InstallationConfig = z.infer<typeof InstallationConfig>;

const ConfigValue = text(CONFIG_LIMITS.valueChars);

/** A record keyed by environment variable names, each bad name reported by name (zod's own says only "Invalid key in record"). */
const envRecord = <V extends z.ZodType>(value: V) =>
  z.record(z.string(), value).superRefine((record, ctx) => {
    for (const key of Object.keys(record)) {
      if (!EnvName.safeParse(key).success) ctx.addIssue({ code: 'custom', path: [key], message: 'not an environment variable name (letters, digits and "_", not starting with a digit)' });
    }
  });

/**
 * `PUT /installations/:id/config`: per component named in the body, `env` replaces its environment
 * values; each secret given is set (a string) or removed (null), secrets not named are kept;
 * `helmValues` sets (text) or removes (null) the override, absent keeps it. Components not named are
 * unchanged. Takes effect on the next deploy or rollout stage.
 */
export const PutInstallationConfigBody = z
  .object({
    components: z
      .record(
        ComponentName,
        z
          .object({
            env: envRecord(ConfigValue).optional(),
            secrets: envRecord(ConfigValue.nullable()).optional(),
            helmValues: text(CONFIG_LIMITS.helmValuesChars).nullable().optional(),
          })
          .strict()
          .refine((c) => Object.keys(c.env ?? {}).length <= CONFIG_LIMITS.entries && Object.keys(c.secrets ?? {}).length <= CONFIG_LIMITS.entries, {
            message: `at most ${CONFIG_LIMITS.entries} environment values and ${CONFIG_LIMITS.entries} secrets per component`,
          }),
      )
      .refine((c) => Object.keys(c).length <= CONFIG_LIMITS.components, { message: `at most ${CONFIG_LIMITS.components} components` }),
  })
  .strict();
export type PutInstallationConfigBody = z.input<typeof PutInstallationConfigBody>;

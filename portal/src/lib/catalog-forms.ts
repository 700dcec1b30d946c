import type {
  ValidationIssue,
  ApplicationKind,
  ApplicationVersion,
  CreateApplicationBody,
  CreateCustomerBody,
  CreateInstallationBody,
  CreateVersionBody,
  UpdateApplicationBody,
  UpdateInstallationBody,
} from '@flotilla/protocol';

/**
 * The bodies of the portal's create and edit forms (applications, versions, customers,
 * installations), checked for what is plainly missing before sending. A problem is a
 * `ValidationIssue` with the hub's path, so `describeForm` shows it like the hub's own answer.
 */
export type Built<T> = { ok: true; value: T } | { ok: false; issues: ValidationIssue[] };

const REQUIRED = 'required';

function build<T>(issues: ValidationIssue[], value: () => T): Built<T> {
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value: value() };
}

function required(fields: Record<string, string>): ValidationIssue[] {
  return Object.entries(fields)
    .filter(([, value]) => value.trim() === '')
    .map(([path]) => ({ path, message: REQUIRED }));
}

export const APPLICATION_LABELS = { name: 'Name', kind: 'Kind', description: 'Description' } as const;

export interface ApplicationForm {
  name: string;
  kind: ApplicationKind;
  description: string;
}

export function buildApplicationBody(form: ApplicationForm): Built<CreateApplicationBody> {
  const description = form.description.trim();
  return build(required({ name: form.name }), () => ({ name: form.name.trim(), kind: form.kind, ...(description ? { description } : {}) }));
}

/** The `PATCH /applications/:id` body with only what changed (a blank description clears it), or null. */
export function applicationPatch(current: { name: string; description: string | null }, form: { name: string; description: string }): Built<UpdateApplicationBody | null> {
  return build(required({ name: form.name }), () => {
    const patch: UpdateApplicationBody = {};
    const name = form.name.trim();
    const description = form.description.trim() || null;
    if (name !== current.name) patch.name = name;
    if (description !== current.description) patch.description = description;
    return Object.keys(patch).length > 0 ? patch : null;
  });
}

export const VERSION_LABELS = {
  version: 'Version',
  'compose.file': 'Compose file',
  'compose.env': 'Env defaults',
  compose: 'Compose file',
  'helm.chart': 'Chart',
  'helm.repo': 'Repository',
  'helm.oci': 'OCI reference',
  'helm.chartVersion': 'Chart version',
  'helm.values': 'Values',
  'helm.credentials': 'Registry credentials',
  helm: 'Chart',
} as const;

export type ChartSource = 'repo' | 'oci';

export interface VersionForm {
  version: string;
  composeFile: string;
  env: string;
  chart: string;
  source: ChartSource;
  /** The repository URL or the OCI reference, as `source` says. */
  location: string;
  chartVersion: string;
  values: string;
  registryUsername: string;
  /** Write-only: sent when given, never shown back. */
  registryPassword: string;
}

export function emptyVersionForm(): VersionForm {
  return { version: '', composeFile: '', env: '', chart: '', source: 'repo', location: '', chartVersion: '', values: '', registryUsername: '', registryPassword: '' };
}

/** A new version's form prefilled from an earlier one (the usual start: change the image tag). Never the password. */
export function versionFormFrom(v: ApplicationVersion): VersionForm {
  const form = emptyVersionForm();
  if (v.compose) {
    form.composeFile = v.compose.file;
    form.env = v.compose.env ?? '';
  }
  if (v.helm) {
    form.chart = v.helm.chart;
    form.source = v.helm.oci ? 'oci' : 'repo';
    form.location = v.helm.oci ?? v.helm.repo ?? '';
    form.chartVersion = v.helm.chartVersion;
    form.values = v.helm.values ?? '';
    form.registryUsername = v.helm.credentials?.username ?? '';
  }
  return form;
}

export function buildVersionBody(kind: ApplicationKind, form: VersionForm): Built<CreateVersionBody> {
  const version = form.version.trim();
  if (kind === 'compose') {
    return build(required({ version, 'compose.file': form.composeFile }), () => ({
      version,
      compose: { file: form.composeFile, ...(form.env.trim() ? { env: form.env } : {}) },
    }));
  }
  const location = form.location.trim();
  const username = form.registryUsername.trim();
  const issues = required({ version, 'helm.chart': form.chart, [`helm.${form.source}`]: location, 'helm.chartVersion': form.chartVersion });
  if (username !== '' && form.registryPassword === '') issues.push({ path: 'helm.credentials', message: 'give the registry password with the username' });
  if (username === '' && form.registryPassword !== '') issues.push({ path: 'helm.credentials', message: 'give the registry username with the password' });
  return build(issues, () => ({
    version,
    helm: {
      chart: form.chart.trim(),
      ...(form.source === 'oci' ? { oci: location } : { repo: location }),
      chartVersion: form.chartVersion.trim(),
      ...(form.values.trim() ? { values: form.values } : {}),
      ...(username ? { credentials: { username, password: form.registryPassword } } : {}),
    },
  }));
}

/** What the version list offers: archive (active), restore (archived), delete (never deployed nor pinned). */
export function versionActions(v: Pick<ApplicationVersion, 'archivedAt' | 'inUse'>): { archive: boolean; restore: boolean; remove: boolean } {
  return { archive: v.archivedAt === null, restore: v.archivedAt !== null, remove: !v.inUse };
}

/** The text two versions are compared by: the compose file (and env), or the chart and its values. */
export function versionText(v: ApplicationVersion): string {
  if (v.compose) return v.compose.env ? `${v.compose.file.replace(/\n?$/, '\n')}# --- env defaults ---\n${v.compose.env}` : v.compose.file;
  if (v.helm) {
    const head = [`# chart: ${v.helm.chart} ${v.helm.chartVersion}`, `# ${v.helm.oci ? `oci: ${v.helm.oci}` : `repo: ${v.helm.repo ?? ''}`}`];
    return `${head.join('\n')}\n${v.helm.values ?? ''}`;
  }
  return '';
}

export const CUSTOMER_LABELS = { name: 'Name' } as const;

export function buildCustomerBody(form: { name: string }): Built<CreateCustomerBody> {
  return build(required({ name: form.name }), () => ({ name: form.name.trim() }));
}

export const INSTALLATION_LABELS = { customerId: 'Customer', name: 'Name', environment: 'Environment', agentKind: 'Agent kind', trackId: 'Track' } as const;
export const ENVIRONMENT_SUGGESTIONS = ['production', 'staging', 'QA'] as const;

export interface InstallationForm {
  customerId: string;
  name: string;
  environment: string;
  agentKind: ApplicationKind;
  /** '' = no track. */
  trackId: string;
}

export function buildInstallationBody(form: InstallationForm): Built<CreateInstallationBody> {
  return build(required({ customerId: form.customerId, name: form.name, environment: form.environment }), () => ({
    customerId: form.customerId,
    name: form.name.trim(),
    environment: form.environment.trim(),
    agentKind: form.agentKind,
    ...(form.trackId ? { trackId: form.trackId } : {}),
  }));
}

/** The `PATCH /installations/:id` body with only what changed (no track = `trackId: null`), or null. */
export function installationPatch(
  current: { name: string; environment: string; trackId: string | null },
  form: { name: string; environment: string; trackId: string },
): Built<UpdateInstallationBody | null> {
  return build(required({ name: form.name, environment: form.environment }), () => {
    const patch: UpdateInstallationBody = {};
    if (form.name.trim() !== current.name) patch.name = form.name.trim();
    if (form.environment.trim() !== current.environment) patch.environment = form.environment.trim();
    const trackId = form.trackId || null;
    if (trackId !== current.trackId) patch.trackId = trackId;
    return Object.keys(patch).length > 0 ? patch : null;
  });
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * What deleting a customer does, as the hub does it (`DELETE /customers/:id`): refused (409) while
 * it has installations; otherwise the customer goes with its entitlements, its users' memberships
 * (their accounts stay), its pending invites and its API tokens (database cascades).
 */
export function customerDeletion(name: string, installationNames: readonly string[], entitlements: number): { blocked: boolean; text: string } {
  if (installationNames.length > 0) {
    return {
      blocked: true,
      text: `${name} still has ${plural(installationNames.length, 'installation')} (${installationNames.join(', ')}): delete them first.`,
    };
  }
  return {
    blocked: false,
    text: `Delete ${name}? Its ${plural(entitlements, 'entitlement')}, its users' memberships (their accounts stay), its pending invites and its API tokens go with it.`,
  };
}

import type { InstallationConfig as ConfigView, PutInstallationConfigBody } from '@flotilla/protocol';
import { AppError } from '../../errors.js';
import type { Scope } from '../access/roles.js';
import { valuesProblems } from '../installations/helm-values.js';
import type { InstallationService } from '../installations/installation-service.js';
import type { InstallationRow } from '../installations/installation-repository.js';
import { componentName, type InstallationConfig } from './compose.js';
import type { InstallationConfigRepository } from './config-repository.js';

/** Problems of a configuration for an installation of `kind` (pure): what a PUT must not store. */
export function configProblems(kind: 'compose' | 'helm', config: InstallationConfig): string[] {
  const problems: string[] = [];
  for (const [component, c] of Object.entries(config)) {
    if (kind === 'helm' && (Object.keys(c.env).length > 0 || Object.keys(c.secrets).length > 0)) {
      problems.push(`components.${component}: environment values and secrets apply to compose installations; pass helm settings in helmValues`);
    }
    if (kind === 'compose' && c.helmValues) problems.push(`components.${component}.helmValues: applies to helm installations only`);
    for (const name of Object.keys(c.env)) if (name in c.secrets) problems.push(`components.${component}: ${name} is both an environment value and a secret`);
    if (c.helmValues) for (const p of valuesProblems(c.helmValues)) problems.push(`components.${component}.helmValues: ${p}`);
  }
  return problems;
}

/**
 * The installation page's configuration: per component, environment values, secrets (write-only:
 * shown by name only) and the helm values override. Takes effect on the next deploy or rollout stage.
 */
export class InstallationConfigService {
  constructor(
    private readonly repo: InstallationConfigRepository,
    private readonly installations: InstallationService,
    /** False on a hub without SECRETS_KEY (external database, none configured): secrets are then refused, never stored plain. */
    private readonly secretsEncrypted: boolean,
  ) {}

  async get(scope: Scope, installationId: string): Promise<ConfigView> {
    const row = await this.installations.row(scope, installationId);
    return this.view(row, await this.repo.get(row.id));
  }

  async put(scope: Scope, installationId: string, body: PutInstallationConfigBody): Promise<ConfigView> {
    const row = await this.installations.row(scope, installationId);
    const setsSecret = Object.values(body.components).some((c) => Object.values(c.secrets ?? {}).some((v) => v !== null));
    if (setsSecret && !this.secretsEncrypted) {
      throw new AppError('CONFLICT', 'This hub has no SECRETS_KEY, and secrets are only stored encrypted: set the same SECRETS_KEY on every hub process, then set the secret again (environment values need no key)');
    }
    const saved = await this.repo.change(row.vendor_id, row.id, body.components, (next) => {
      const problems = configProblems(row.agent_kind, next);
      if (problems.length > 0) throw new AppError('VALIDATION_FAILED', problems.join('; '), { problems });
    });
    return this.view(row, saved);
  }

  /** Every component worth configuring: configured ones, those it runs, and those its track ships for its agent kind. */
  private async view(row: InstallationRow, config: InstallationConfig): Promise<ConfigView> {
    const shipped = row.track_id ? await this.repo.trackApplicationNames(row.track_id, row.agent_kind) : [];
    const names = [...new Set([...shipped.map(componentName), ...Object.keys(row.desired_components), ...Object.keys(config)])];
    return {
      installationId: row.id,
      agentKind: row.agent_kind,
      components: names.map((component) => {
        const c = config[component];
        return {
          component,
          env: c?.env ?? {},
          secrets: Object.keys(c?.secrets ?? {}).sort().map((name) => ({ name, set: true as const })),
          helmValues: c?.helmValues ?? null,
        };
      }),
    };
  }
}

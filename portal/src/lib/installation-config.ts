import type { AgentKind, InstallationConfig, PutInstallationConfigBody } from '@flotilla/protocol';

/** One editable environment value. */
export interface EnvDraft {
  name: string;
  value: string;
}

/** A stored secret: kept as it is, replaced by `value`, or removed. Its value is never known here. */
export interface StoredSecretDraft {
  name: string;
  action: 'keep' | 'replace' | 'remove';
  value: string;
}

/** What the form edits for one component. */
export interface ComponentDraft {
  component: string;
  env: EnvDraft[];
  secrets: StoredSecretDraft[];
  newSecrets: EnvDraft[];
  helmValues: string;
}

export function draftsOf(config: InstallationConfig): ComponentDraft[] {
  return config.components.map((c) => ({
    component: c.component,
    env: Object.entries(c.env).map(([name, value]) => ({ name, value })),
    secrets: c.secrets.map((s) => ({ name: s.name, action: 'keep', value: '' })),
    newSecrets: [],
    helmValues: c.helmValues ?? '',
  }));
}

/**
 * The `PUT /installations/:id/config` body for the drafts (pure): environment values replace the
 * stored ones; only secrets replaced, added or removed are sent (the rest are kept by the hub); rows
 * with an empty name are ignored. The hub validates names and sizes; its message is shown as is.
 */
export function configBody(drafts: readonly ComponentDraft[], kind: AgentKind): PutInstallationConfigBody {
  const components: PutInstallationConfigBody['components'] = {};
  for (const d of drafts) {
    if (kind === 'helm') {
      components[d.component] = { helmValues: d.helmValues.trim() === '' ? null : d.helmValues };
      continue;
    }
    const secrets: Record<string, string | null> = {};
    for (const s of d.secrets) {
      if (s.action === 'remove') secrets[s.name] = null;
      if (s.action === 'replace') secrets[s.name] = s.value;
    }
    for (const s of d.newSecrets) if (s.name.trim() !== '') secrets[s.name.trim()] = s.value;
    components[d.component] = {
      env: Object.fromEntries(d.env.filter((e) => e.name.trim() !== '').map((e) => [e.name.trim(), e.value])),
      ...(Object.keys(secrets).length > 0 ? { secrets } : {}),
    };
  }
  return { components };
}

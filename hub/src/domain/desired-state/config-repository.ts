import type { Knex } from 'knex';
import type { Database } from '../../infra/index.js';
import type { SecretBox } from '../../infra/secret-box.js';
import type { ComponentConfig, InstallationConfig } from './compose.js';

interface ConfigRow {
  installation_id: string;
  component: string;
  env: Record<string, string>;
  secrets: Record<string, string>;
  helm_values: string | null;
}

/** A change to one component's configuration (see PutInstallationConfigBody): absent keeps, null removes. */
export interface ComponentConfigChange {
  env?: Record<string, string> | undefined;
  secrets?: Record<string, string | null> | undefined;
  helmValues?: string | null | undefined;
}

const isEmpty = (c: ComponentConfig) => Object.keys(c.env).length === 0 && Object.keys(c.secrets).length === 0 && !c.helmValues;
const toConfig = (r: ConfigRow): ComponentConfig => ({ env: r.env, secrets: r.secrets, helmValues: r.helm_values });

/**
 * `installation_config`: per installation and component, environment values, secrets and the helm
 * values override. Secrets are sealed here on the way in and never opened here: what leaves this
 * repository carries them sealed (opened only for the agent, see agent-copy.ts).
 */
export class InstallationConfigRepository {
  constructor(
    private readonly db: Database,
    private readonly box: SecretBox,
  ) {}

  async get(installationId: string, trx?: Knex | Knex.Transaction): Promise<InstallationConfig> {
    return (await this.getMany([installationId], trx)).get(installationId) ?? {};
  }

  /** Configurations of many installations in one query (a rollout wave). */
  async getMany(installationIds: readonly string[], trx?: Knex | Knex.Transaction): Promise<Map<string, InstallationConfig>> {
    const out = new Map<string, Record<string, ComponentConfig>>();
    if (installationIds.length === 0) return out;
    const rows: ConfigRow[] = await (trx ?? this.db)('installation_config').whereRaw('installation_id = ANY(?::uuid[])', [[...new Set(installationIds)]]).select('installation_id', 'component', 'env', 'secrets', 'helm_values');
    for (const r of rows) {
      const config = out.get(r.installation_id) ?? {};
      config[r.component] = toConfig(r);
      out.set(r.installation_id, config);
    }
    return out;
  }

  /**
   * Applies changes to some components under a lock on the installation row (concurrent edits of
   * one installation apply one after the other, none lost). `check` sees the result before it is
   * written (secrets still sealed) and may refuse it by throwing.
   */
  async change(vendorId: string, installationId: string, changes: Readonly<Record<string, ComponentConfigChange>>, check: (next: InstallationConfig) => void): Promise<InstallationConfig> {
    return this.db.transaction(async (trx) => {
      await trx('installations').where({ vendor_id: vendorId, id: installationId }).forNoKeyUpdate().first('id');
      const current = await this.get(installationId, trx);
      const next: Record<string, ComponentConfig> = { ...current };
      for (const [component, change] of Object.entries(changes)) {
        const was = current[component] ?? { env: {}, secrets: {}, helmValues: null };
        const changed = change.secrets ?? {};
        // Secrets not named are kept (still sealed); null removes one; a string is sealed now.
        const kept = Object.entries(was.secrets).filter(([name]) => !(name in changed));
        const set = Object.entries(changed).flatMap(([name, value]) => (value === null ? [] : [[name, this.box.seal(value)] as const]));
        const secrets = Object.fromEntries([...kept, ...set]);
        next[component] = { env: change.env ?? was.env, secrets, helmValues: change.helmValues === undefined ? was.helmValues : change.helmValues };
      }
      check(next);
      await this.write(trx, vendorId, installationId, Object.keys(changes), next);
      return Object.fromEntries(Object.entries(next).filter(([, c]) => !isEmpty(c)));
    });
  }

  /** The names of the applications of a track an agent of `kind` runs, in track order. */
  async trackApplicationNames(trackId: string, kind: 'compose' | 'helm'): Promise<string[]> {
    const rows: { name: string }[] = await this.db('track_applications as t')
      .join('applications as a', 'a.id', 't.application_id')
      .where({ 't.track_id': trackId, 'a.kind': kind })
      .orderBy('t.position')
      .select('a.name');
    return rows.map((r) => r.name);
  }

  /** `PATCH /installations/:id {helmValues}`: replaces every component's helm override (others' env and secrets stay). */
  async replaceHelmValues(vendorId: string, installationId: string, helmValues: Readonly<Record<string, string>>): Promise<void> {
    await this.db.transaction(async (trx) => {
      await trx('installations').where({ vendor_id: vendorId, id: installationId }).forNoKeyUpdate().first('id');
      const current = await this.get(installationId, trx);
      const names = [...new Set([...Object.keys(current), ...Object.keys(helmValues)])];
      const next = Object.fromEntries(
        names.map((n) => [n, { env: current[n]?.env ?? {}, secrets: current[n]?.secrets ?? {}, helmValues: helmValues[n] ?? null }]),
      );
      await this.write(trx, vendorId, installationId, names, next);
    });
  }

  private async write(trx: Knex.Transaction, vendorId: string, installationId: string, components: readonly string[], next: Readonly<Record<string, ComponentConfig>>): Promise<void> {
    for (const component of components) {
      const c = next[component];
      if (!c || isEmpty(c)) {
        await trx('installation_config').where({ installation_id: installationId, component }).delete();
        continue;
      }
      await trx('installation_config')
        .insert({ installation_id: installationId, vendor_id: vendorId, component, env: JSON.stringify(c.env), secrets: JSON.stringify(c.secrets), helm_values: c.helmValues })
        .onConflict(['installation_id', 'component'])
        .merge(['env', 'secrets', 'helm_values', 'updated_at']);
    }
  }
}

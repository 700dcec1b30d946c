import type { AgentKind, ComposeSpec, DesiredComponent, HelmSpec } from '@flotilla/protocol';
import { AppError } from '../../errors.js';
import { mergeHelmValues } from '../installations/helm-values.js';
import { componentsBelow, componentsUpTo } from './stages.js';

/**
 * THE composer: what an installation should run, from a version or a release, its agent's kind,
 * the stage a rollout reached and the installation's own configuration. Pure (no I/O); deploys and
 * the rollout engine both call it, so they cannot disagree.
 */

/** An application version as the composer reads it. */
export interface VersionInput {
  id: string;
  version: string;
  compose: ComposeSpec | null;
  helm: HelmSpec | null;
}

/** One component of a release: its application, and the version pinned (null: none). */
export interface ReleaseEntry {
  application: { name: string; kind: AgentKind };
  pinned: VersionInput | null;
}

export interface ReleaseInput {
  version: string;
  /** Components in release order: stage k (1-based) is `stages[k-1]`. */
  stages: readonly (readonly ReleaseEntry[])[];
}

/** A component's configuration as stored: secrets sealed (opened only on delivery to the agent). */
export interface ComponentConfig {
  env: Readonly<Record<string, string>>;
  secrets: Readonly<Record<string, string>>;
  helmValues: string | null;
}

/** An installation's configuration by component name. */
export type InstallationConfig = Readonly<Record<string, ComponentConfig>>;

/** What composing a release gives: its components (all kinds) and the version each one is (by `kind/name`). */
export interface ComposedRelease {
  components: DesiredComponent[];
  versionIds: ReadonlyMap<string, string>;
  stageCount: number;
}

export const componentKey = (c: Pick<DesiredComponent, 'kind' | 'name'>) => `${c.kind}/${c.name}`;

/** Component names double as compose project / helm release suffixes: lowercase, [a-z0-9_-]. */
export function componentName(applicationName: string): string {
  const slug = applicationName.toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^[-_]+|[-_]+$/g, '').slice(0, 63);
  return slug || 'app';
}

/** The answer to deploying or rolling out a release with a component that has no version. */
export function unpinnedConflict(releaseVersion: string, applicationName: string): AppError {
  return new AppError('CONFLICT', `Release ${releaseVersion} has no version pinned for "${applicationName}": pin one (the release must be a draft to change) before deploying it`);
}

function component(application: { name: string; kind: AgentKind }, version: VersionInput, stage: number): DesiredComponent | undefined {
  const base = { name: componentName(application.name), version: version.version, stage };
  if (application.kind === 'compose' && version.compose) return { ...base, kind: 'compose', spec: version.compose };
  if (application.kind === 'helm' && version.helm) return { ...base, kind: 'helm', spec: version.helm };
  return undefined;
}

/** Every component of a release, both kinds, in release order. An unpinned component is a 409, never dropped. */
export function composeRelease(release: ReleaseInput): ComposedRelease {
  const versionIds = new Map<string, string>();
  const components = release.stages.flatMap((stage, k) =>
    stage.flatMap((entry) => {
      if (!entry.pinned) throw unpinnedConflict(release.version, entry.application.name);
      const c = component(entry.application, entry.pinned, k + 1);
      if (!c) throw new AppError('CONFLICT', `Release ${release.version}: version ${entry.pinned.version} of "${entry.application.name}" has no ${entry.application.kind} spec`);
      versionIds.set(componentKey(c), entry.pinned.id);
      return [c];
    }),
  );
  return { components, versionIds, stageCount: release.stages.length };
}

/**
 * The release components an agent of `kind` runs. A track may ship a component in both flavours
 * (a compose application and a helm chart): each installation gets the one its agent applies.
 */
export function forAgentKind(components: readonly DesiredComponent[], kind: AgentKind): DesiredComponent[] {
  return components.filter((c) => c.kind === kind);
}

/** One application version deployed on its own: a one-component release for an agent of `kind`. */
export function composeVersion(application: { name: string; kind: AgentKind }, version: VersionInput, kind: AgentKind, installationName: string): DesiredComponent {
  const c = application.kind === kind ? component(application, version, 1) : undefined;
  if (!c) throw new AppError('VALIDATION_FAILED', `"${application.name}" is a ${application.kind} application; installation "${installationName}" runs a ${kind} agent`);
  return c;
}

/**
 * Applies an installation's configuration: a compose component gets its environment values and
 * (sealed) secrets in `environment` with the secrets' names in `secretKeys`; a helm component gets
 * its values override deep-merged over the version defaults. Components without configuration
 * lose any environment an earlier configuration gave them (the configuration is the whole truth).
 */
export function withConfig(components: readonly DesiredComponent[], config: InstallationConfig): DesiredComponent[] {
  return components.map((c): DesiredComponent => {
    const own = config[c.name];
    if (c.kind === 'helm') {
      if (!own?.helmValues) return c;
      const values = mergeHelmValues(c.spec.values, own.helmValues);
      return { ...c, spec: { ...c.spec, ...(values === undefined ? {} : { values }) } };
    }
    const { environment: _e, secretKeys: _s, ...spec } = c.spec;
    const secretKeys = Object.keys(own?.secrets ?? {}).sort();
    const environment = { ...(own?.env ?? {}), ...(own?.secrets ?? {}) };
    if (Object.keys(environment).length === 0) return { ...c, spec };
    return { ...c, spec: { ...spec, environment, ...(secretKeys.length > 0 ? { secretKeys } : {}) } };
  });
}

/** A direct deploy of a release: its components for the agent's kind, configured. */
export function desiredForRelease(release: ComposedRelease, releaseVersion: string, kind: AgentKind, config: InstallationConfig): DesiredComponent[] {
  const own = forAgentKind(release.components, kind);
  if (own.length === 0) throw new AppError('VALIDATION_FAILED', `Release ${releaseVersion} has no component for a ${kind} agent`);
  return withConfig(own, config);
}

/**
 * A rollout stage for one installation: release components up to `stage` over what it ran before
 * (`base`), or for a rollback of `stage` the release below it over the base; configured.
 */
export function desiredForStage(input: {
  release: ComposedRelease;
  kind: AgentKind;
  base: readonly DesiredComponent[];
  stage: number;
  rollback: boolean;
  config: InstallationConfig;
}): DesiredComponent[] {
  const own = forAgentKind(input.release.components, input.kind);
  const staged = input.rollback ? componentsBelow(own, input.base, input.stage) : componentsUpTo(own, input.base, input.stage, input.release.stageCount);
  return withConfig(staged, input.config);
}

import type { ComponentState, InstallationStatus } from '@flotilla/protocol';
import { runningVersionOf } from './health.js';

/** What an installation should run and what its agent reports, as stored on its row. */
export interface VersionFacts {
  /** The label of the last deploy: a release's version, an application version's, or a rollout stage's. */
  desiredVersion: string | null;
  desiredRevision: number;
  appliedRevision: number;
  /** The current desired state's components: name → version. */
  desired: Readonly<Record<string, string>>;
  /** The components the agent reported last. */
  reported: readonly Pick<ComponentState, 'name' | 'version'>[];
}

export interface VersionTruth {
  /** Each desired component whose running version differs, missing ones included, then reported components not desired at all. */
  versionDrift: InstallationStatus['versionDrift'];
  /** The desired label once the agent applied the desired revision and nothing drifts; else what the components report. */
  runningVersion: string | null;
  /** The installation runs exactly its desired state. */
  converged: boolean;
}

/**
 * Pure: compares what runs with what is desired, per component, so a two-component release "1.1.0"
 * (api 2.0.0, web 3.1.0) converged shows as running 1.1.0 without drift, and a component at another
 * version (or missing) is named as the drift.
 */
export function versionTruth(f: VersionFacts): VersionTruth {
  // A handful of components each: scanning the list beats building a map (10 000 statuses at a time).
  const versionDrift: VersionTruth['versionDrift'] = [];
  for (const component in f.desired) {
    const desired = f.desired[component] ?? null;
    const now = f.reported.find((c) => c.name === component)?.version ?? null;
    if (now !== desired) versionDrift.push({ component, desired, running: now });
  }
  if (f.desiredRevision > 0) {
    for (const c of f.reported) if (!Object.hasOwn(f.desired, c.name)) versionDrift.push({ component: c.name, desired: null, running: c.version });
  }
  const converged = f.desiredRevision > 0 && f.appliedRevision >= f.desiredRevision && versionDrift.length === 0;
  return { versionDrift, runningVersion: converged ? f.desiredVersion : runningVersionOf(f.reported), converged };
}

/** The reported components, each with the version its desired state asks for (null: not desired). */
export function withDesiredVersions(components: readonly ComponentState[], desired: Readonly<Record<string, string>>): ComponentState[] {
  return components.map((c) => ({ ...c, desiredVersion: desired[c.name] ?? null }));
}

import { createHash } from 'node:crypto';
import type { DesiredComponent, DesiredState } from '@flotilla/protocol';
import type { LocalState } from './state-store.js';
import { withSecretDigests } from './secret-digest.js';

/** What to do with one desired state; decided without I/O. */
export type Plan =
  | { kind: 'noop'; reason: 'up-to-date' | 'failed-before' | 'uninstalled' }
  | {
      kind: 'apply';
      /** Applied components that are no longer desired (or belong to another installation): removed first. */
      remove: DesiredComponent[];
      /** Desired components grouped by stage, ascending; each group sorted by name. */
      stages: DesiredComponent[][];
    };

/** JSON with object keys sorted at every level, so equal values give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    return Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  });
}

function byName(a: DesiredComponent, b: DesiredComponent): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** The components in a stable order, with only the fields that define them (secrets as the state file keeps them: digests). */
function normalize(components: readonly DesiredComponent[]): unknown[] {
  return withSecretDigests(components)
    .sort(byName)
    .map((c) => ({ name: c.name, kind: c.kind, version: c.version, stage: c.stage, spec: c.spec }));
}

export function sameComponents(a: readonly DesiredComponent[], b: readonly DesiredComponent[]): boolean {
  return canonicalJson(normalize(a)) === canonicalJson(normalize(b));
}

/** Identifies a desired state: installation, revision and every component spec. */
export function fingerprint(desired: DesiredState): string {
  const text = canonicalJson({
    installationId: desired.installationId,
    revision: desired.revision,
    components: normalize(desired.components),
  });
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

/** Desired components grouped by stage (ascending), names sorted inside a stage. */
export function groupByStage(components: readonly DesiredComponent[]): DesiredComponent[][] {
  const stages = new Map<number, DesiredComponent[]>();
  for (const c of components) {
    const group = stages.get(c.stage) ?? [];
    group.push(c);
    stages.set(c.stage, group);
  }
  return [...stages.entries()].sort(([a], [b]) => a - b).map(([, group]) => group.sort(byName));
}

/**
 * Decides how to converge from the local state to `desired`.
 * - the same revision with identical specs (and installation) → no-op: a restarted agent never redeploys;
 * - a desired state that already failed in this process → no-op until a new revision arrives
 *   (`failed` is kept in memory only, so a restarted agent retries it once);
 * - a revision an `uninstall` command removed (at most `uninstalledRevision`) → no-op: only a newer
 *   deploy brings components back;
 * - anything else → apply every desired component, stage by stage, after removing what is no longer desired.
 */
export function planConvergence(state: LocalState, desired: DesiredState, failed: ReadonlySet<string>): Plan {
  const sameInstallation = state.installationId === '' || state.installationId === desired.installationId;
  if (
    sameInstallation &&
    state.appliedRevision === desired.revision &&
    sameComponents(state.components, desired.components)
  ) {
    return { kind: 'noop', reason: 'up-to-date' };
  }
  if (sameInstallation && state.uninstalledRevision !== undefined && desired.revision <= state.uninstalledRevision) return { kind: 'noop', reason: 'uninstalled' };
  if (failed.has(fingerprint(desired))) return { kind: 'noop', reason: 'failed-before' };
  const wanted = new Set(desired.components.map((c) => c.name));
  const remove = sameInstallation ? state.components.filter((c) => !wanted.has(c.name)) : [...state.components];
  return { kind: 'apply', remove: [...remove].sort(byName), stages: groupByStage(desired.components) };
}

/**
 * The order an uninstall removes components in: the reverse of the release order (the last stage
 * first, e.g. the frontend before the backend before its database migrator), names descending inside
 * a stage. Pure.
 */
export function uninstallOrder(components: readonly DesiredComponent[]): DesiredComponent[] {
  return groupByStage(components).reverse().flatMap((stage) => [...stage].reverse());
}

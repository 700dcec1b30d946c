import type { DesiredComponent } from '@flotilla/protocol';

/**
 * Pure: the desired components while a rollout moves an installation from `base` (what it ran
 * before) to `release`, stage by stage.
 *
 * - `upTo(k)`: release components of stages ≤ k, base components of the later stages; on the last
 *   stage exactly the release (components that left it are removed).
 * - `below(k)` (rollback of stage k): release components of stages < k, base components for the rest,
 *   so rolling back stage k, then k-1, … returns to `base` in reverse release order.
 */
export function componentsUpTo(release: readonly DesiredComponent[], base: readonly DesiredComponent[], stage: number, stageCount: number): DesiredComponent[] {
  if (stage >= stageCount) return [...release];
  return merge(release.filter((c) => c.stage <= stage), release, base);
}

export function componentsBelow(release: readonly DesiredComponent[], base: readonly DesiredComponent[], stage: number): DesiredComponent[] {
  return merge(release.filter((c) => c.stage < stage), release, base);
}

/** `fromRelease`, plus base components not replaced by them, each at the stage the release gives its name. */
function merge(fromRelease: readonly DesiredComponent[], release: readonly DesiredComponent[], base: readonly DesiredComponent[]): DesiredComponent[] {
  const taken = new Set(fromRelease.map((c) => c.name));
  const stageOf = new Map(release.map((c) => [c.name, c.stage]));
  const kept = base.filter((c) => !taken.has(c.name)).map((c) => ({ ...c, stage: stageOf.get(c.name) ?? c.stage }));
  return [...fromRelease, ...kept].sort((a, b) => a.stage - b.stage || a.name.localeCompare(b.name));
}

import type { Release } from '@flotilla/protocol';

/**
 * The required releases an available update installs first: those among the installation's available
 * updates (newest first, all newer than what it runs) that are older than it. Installing it steps
 * through them (the hub deploys each, healthy, before the next), so the page says which come first.
 */
export function requiredFirst(updates: readonly Pick<Release, 'id' | 'version' | 'required'>[], releaseId: string): string[] {
  const at = updates.findIndex((u) => u.id === releaseId);
  if (at < 0) return [];
  return updates
    .slice(at + 1)
    .filter((u) => u.required)
    .map((u) => u.version)
    .reverse();
}

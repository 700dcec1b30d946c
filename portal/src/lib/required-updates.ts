import type { Release } from '@flotilla/protocol';

/**
 * The required releases an available update needs first: those among the installation's available
 * updates (newest first, all newer than what it runs) that are older than it. Installing past them
 * directly is refused by the hub (409 REQUIRED_RELEASE_FIRST), so the page says which come first.
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

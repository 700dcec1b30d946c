import { createHash } from 'node:crypto';

/** Helm's limit for release names (they become label values and resource name prefixes). */
export const MAX_RELEASE_NAME = 53;

/**
 * The Helm release of a component: `flt-<first 8 chars of installationId>-<component>`, lowercase,
 * DNS-1123 safe ("_" becomes "-"), at most 53 characters. A name that would be longer keeps a
 * prefix and ends in a short hash of the full name, so two long components never share a release.
 */
export function releaseName(installationId: string, component: string): string {
  const id = installationId.slice(0, 8).toLowerCase().replace(/[^a-z0-9]/g, '');
  const name = component.toLowerCase().replace(/[^a-z0-9-]/g, '-');
  const full = `flt-${id === '' ? 'none' : id}-${name}`.replace(/-+$/, '');
  if (full.length <= MAX_RELEASE_NAME) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 6);
  return `${full.slice(0, MAX_RELEASE_NAME - hash.length - 1).replace(/-+$/, '')}-${hash}`;
}

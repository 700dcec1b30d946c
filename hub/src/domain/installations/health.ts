import type { ComponentStatus, Health } from '@flotilla/protocol';

// Worst first: an installation is as healthy as its least healthy component.
const SEVERITY: Health[] = ['failed', 'degraded', 'stopped', 'progressing', 'unknown', 'healthy'];

/** One health for the installation from its components' reports. */
export function overallHealth(components: readonly Pick<ComponentStatus, 'health'>[]): Health {
  if (components.length === 0) return 'unknown';
  let worst = SEVERITY.length - 1;
  for (const c of components) worst = Math.min(worst, SEVERITY.indexOf(c.health));
  return SEVERITY[worst] ?? 'unknown';
}

/** What runs, as one string: the version of a single component, else "name@version" pairs. */
export function runningVersionOf(components: readonly Pick<ComponentStatus, 'name' | 'version'>[]): string | null {
  const versioned = components.filter((c) => c.version !== null);
  if (versioned.length === 0) return null;
  if (versioned.length === 1) return versioned[0]?.version ?? null;
  return versioned.map((c) => `${c.name}@${c.version ?? '?'}`).join(', ');
}

import semver from 'semver';
import type { AlertKind } from '@flotilla/protocol';

/** What the evaluator knows of one installation. */
export interface InstallationFacts {
  installationId: string;
  name?: string;
  /** An agent was ever connected (installations never connected are not "offline"). */
  hasAgent: boolean;
  online: boolean;
  lastSeenAt: Date | null;
  health: string;
  healthSince: Date | null;
  runningVersion: string | null;
  trackId: string | null;
  agentOutdated: boolean;
}

export interface RuleSpec {
  kind: AlertKind;
  threshold: number;
}

const FAILING = new Set(['failed', 'degraded']);
const minutes = (ms: number) => Math.floor(ms / 60_000);

/** Releases of the track newer than what runs (semver), or null when that cannot be told. */
export function releasesBehind(running: string | null, trackReleases: readonly string[] | undefined): number | null {
  const v = running === null ? null : semver.valid(running);
  if (!v || !trackReleases) return null;
  return trackReleases.filter((r) => semver.valid(r) !== null && semver.gt(r, v)).length;
}

/**
 * Whether a rule fires for an installation, and why (the alert's message), or null. Pure.
 * `behind` is releasesBehind() for the installation.
 */
export function breach(rule: RuleSpec, f: InstallationFacts, behind: number | null, now: number): string | null {
  switch (rule.kind) {
    case 'offline': {
      if (!f.hasAgent || f.online || !f.lastSeenAt) return null;
      const away = now - f.lastSeenAt.getTime();
      return away >= rule.threshold * 60_000 ? `offline for ${minutes(away)} min (threshold ${rule.threshold} min)` : null;
    }
    case 'health_failing': {
      if (!f.online || !FAILING.has(f.health) || !f.healthSince) return null;
      const failing = now - f.healthSince.getTime();
      return failing >= rule.threshold * 60_000 ? `health ${f.health} for ${minutes(failing)} min (threshold ${rule.threshold} min)` : null;
    }
    case 'releases_behind':
      return behind !== null && behind >= Math.max(1, rule.threshold) ? `${behind} release${behind === 1 ? '' : 's'} behind (threshold ${rule.threshold})` : null;
    case 'agent_outdated':
      return f.agentOutdated ? 'agent older than the one this hub ships' : null;
  }
}

export interface OpenAlert {
  id: string;
  ruleId: string;
  installationId: string;
}

/** What a run changes: alerts to raise (rule × installation with their message) and open alerts to resolve. Pure. */
export function diffAlerts(
  rules: readonly (RuleSpec & { id: string; enabled: boolean })[],
  facts: readonly InstallationFacts[],
  open: readonly OpenAlert[],
  trackReleases: ReadonlyMap<string, readonly string[]>,
  now: number,
): { fire: { ruleId: string; installationId: string; message: string }[]; resolve: OpenAlert[] } {
  const firing = new Map<string, string>();
  for (const rule of rules) {
    if (!rule.enabled) continue;
    for (const f of facts) {
      const message = breach(rule, f, releasesBehind(f.runningVersion, f.trackId ? trackReleases.get(f.trackId) : undefined), now);
      if (message !== null) firing.set(`${rule.id}|${f.installationId}`, message);
    }
  }
  const openKeys = new Set(open.map((a) => `${a.ruleId}|${a.installationId}`));
  const fire = [...firing].filter(([key]) => !openKeys.has(key)).map(([key, message]) => {
    const [ruleId = '', installationId = ''] = key.split('|');
    return { ruleId, installationId, message };
  });
  return { fire, resolve: open.filter((a) => !firing.has(`${a.ruleId}|${a.installationId}`)) };
}

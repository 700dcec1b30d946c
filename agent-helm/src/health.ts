import type { Drift } from '@flotilla/protocol';
import type { HealthSample } from '@flotilla/agent-core';
import type { HelmRelease } from './helm-cli.js';
import { kubectlRef, workloadVerdict, type WorkloadObject, type WorkloadRef } from './workloads.js';

/** What the driver observed of one release; `workloads` is read only for a deployed release. */
export interface ReleaseObservation {
  release: string;
  /** `helm status`, or undefined when the release does not exist. */
  status: HelmRelease | undefined;
  /** The revision this agent last produced for the release, if it knows one. */
  appliedRevision: number | undefined;
  /** `helm history`'s description of the release's current revision, read when it drifted ("Rollback to 2"…). */
  actualDescription?: string | undefined;
  /** The manifest's workloads with what kubectl returned for each (undefined: not found). */
  workloads: { ref: WorkloadRef; object: WorkloadObject | undefined }[];
}

const PENDING = new Set(['pending-install', 'pending-upgrade', 'pending-rollback', 'uninstalling']);

/**
 * Health of a release, pure: the Helm release status first (failed, pending…), then the readiness
 * of its workloads. A revision other than the one the agent applied is drift: at least `degraded`,
 * with both revisions, so the hub can show it and a redeploy can resolve it.
 */
export function releaseHealth(o: ReleaseObservation): HealthSample {
  if (o.status === undefined) return { health: 'failed', message: `Helm release ${o.release} is not installed` };
  const base = statusHealth(o.status, o.workloads);
  const drift = driftOf(o.appliedRevision, o.status.version);
  if (drift === undefined) return base;
  const how = o.actualDescription === undefined || o.actualDescription === '' ? '' : ` ("${o.actualDescription}")`;
  const note = `Helm release ${o.release} is at revision ${drift.actualRevision}${how}, but the agent applied revision ${drift.appliedRevision}: it was changed outside Flotilla; redeploy to restore the desired state`;
  return {
    health: base.health === 'failed' ? 'failed' : 'degraded',
    message: base.message === undefined ? note : `${note}; ${base.message}`,
    drift,
  };
}

export function driftOf(applied: number | undefined, actual: number): Drift | undefined {
  return applied === undefined || applied === actual ? undefined : { appliedRevision: applied, actualRevision: actual };
}

function statusHealth(status: HelmRelease, workloads: ReleaseObservation['workloads']): HealthSample {
  const state = status.info.status;
  const revision = `revision ${status.version}`;
  const description = status.info.description === undefined || status.info.description === '' ? '' : `: ${status.info.description}`;
  if (state === 'deployed') return workloadHealth(workloads);
  if (state === 'failed') return { health: 'failed', message: `${revision} failed${description}` };
  if (PENDING.has(state)) return { health: 'progressing', message: `${state} (${revision})` };
  if (state === 'uninstalled' || state === 'superseded') return { health: 'failed', message: `${revision} is ${state}` };
  return { health: 'unknown', message: `release status "${state}" (${revision})${description}` };
}

function workloadHealth(workloads: ReleaseObservation['workloads']): HealthSample {
  const verdicts = workloads.map(({ ref, object }) => ({
    ref,
    ...(object === undefined ? { verdict: 'bad' as const, detail: 'not found' } : workloadVerdict(object)),
  }));
  const notReady = verdicts.filter((v) => v.verdict !== 'ready');
  if (notReady.length === 0) return { health: 'healthy' };
  const ready = verdicts.length - notReady.length;
  const message = `${ready}/${verdicts.length} workloads ready; ${notReady.map((v) => `${kubectlRef(v.ref)}: ${v.detail}`).join('; ')}`;
  const bad = notReady.filter((v) => v.verdict === 'bad').length;
  if (bad === 0) return { health: 'progressing', message };
  return { health: bad === verdicts.length ? 'failed' : 'degraded', message };
}

import { describe, expect, it } from 'vitest';
import type { HelmRelease } from './helm-cli.js';
import { releaseHealth, type ReleaseObservation } from './health.js';
import { workloadsOfManifest, workloadVerdict, type WorkloadObject } from './workloads.js';

const status = (state: string, version = 2, description?: string): HelmRelease => ({ name: 'r', version, info: { status: state, ...(description ? { description } : {}) } });

const deployment = (name: string, s: Partial<WorkloadObject['status']>, replicas = 2): WorkloadObject => ({
  kind: 'Deployment',
  metadata: { name, generation: 3 },
  spec: { replicas },
  status: { observedGeneration: 3, replicas, updatedReplicas: replicas, availableReplicas: replicas, ...s },
});
const ready = deployment('api', {});
const progressing = (reason: string) => ({ conditions: [{ type: 'Progressing', status: reason === 'ProgressDeadlineExceeded' ? 'False' : 'True', reason }] });

function observe(o: Partial<ReleaseObservation>): ReleaseObservation {
  return { release: 'flt-x-api', status: status('deployed'), appliedRevision: 2, workloads: [], ...o };
}

describe('workloadVerdict', () => {
  it('Deployments: ready, rolling out, past the deadline, lost pods after a finished rollout', () => {
    expect(workloadVerdict(ready).verdict).toBe('ready');
    expect(workloadVerdict(deployment('api', { updatedReplicas: 1, ...progressing('ReplicaSetUpdated') })).verdict).toBe('progressing');
    expect(workloadVerdict(deployment('api', { observedGeneration: 2 })).verdict).toBe('progressing');
    expect(workloadVerdict(deployment('api', { availableReplicas: 0, ...progressing('ReplicaSetUpdated') })).verdict).toBe('progressing');
    expect(workloadVerdict(deployment('api', { availableReplicas: 0, ...progressing('ProgressDeadlineExceeded') }))).toEqual({ verdict: 'bad', detail: 'progress deadline exceeded (0/2 available)' });
    expect(workloadVerdict(deployment('api', { availableReplicas: 1, ...progressing('NewReplicaSetAvailable') }))).toEqual({ verdict: 'bad', detail: '1/2 available' });
  });

  it('StatefulSets, DaemonSets and Jobs', () => {
    const sts = (s: Partial<WorkloadObject['status']>): WorkloadObject => ({ kind: 'StatefulSet', metadata: { name: 'db' }, spec: { replicas: 1 }, status: { readyReplicas: 1, currentRevision: 'a', updateRevision: 'a', ...s } });
    expect(workloadVerdict(sts({})).verdict).toBe('ready');
    expect(workloadVerdict(sts({ updateRevision: 'b' })).verdict).toBe('progressing');
    const ds = (available: number): WorkloadObject => ({ kind: 'DaemonSet', metadata: { name: 'agent' }, spec: {}, status: { desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: available } });
    expect(workloadVerdict(ds(3)).verdict).toBe('ready');
    expect(workloadVerdict(ds(2)).verdict).toBe('progressing');
    const job = (s: Partial<WorkloadObject['status']>): WorkloadObject => ({ kind: 'Job', metadata: { name: 'migrate' }, spec: {}, status: s });
    expect(workloadVerdict(job({ succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] })).verdict).toBe('ready');
    expect(workloadVerdict(job({}))).toEqual({ verdict: 'progressing', detail: 'running (0/1 succeeded)' });
    expect(workloadVerdict(job({ conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }] })).detail).toBe('failed: BackoffLimitExceeded');
  });
});

describe('workloadsOfManifest', () => {
  it('lists the workloads of a helm manifest, skipping other kinds and empty documents', () => {
    const manifest = '---\n# Source: api/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n---\n# Source: api/templates/d.yaml\nkind: Deployment\nmetadata:\n  name: api\n---\n---\nkind: Job\nmetadata:\n  name: migrate\n';
    expect(workloadsOfManifest(manifest)).toEqual([{ kind: 'Deployment', name: 'api' }, { kind: 'Job', name: 'migrate' }]);
    expect(workloadsOfManifest('')).toEqual([]);
  });
});

describe('releaseHealth', () => {
  it('maps the release status: missing, failed, pending, unknown', () => {
    expect(releaseHealth(observe({ status: undefined }))).toEqual({ health: 'failed', message: 'Helm release flt-x-api is not installed' });
    expect(releaseHealth(observe({ status: status('failed', 2, 'Upgrade "r" failed: context deadline exceeded') }))).toEqual({
      health: 'failed',
      message: 'revision 2 failed: Upgrade "r" failed: context deadline exceeded',
    });
    expect(releaseHealth(observe({ status: status('pending-upgrade') })).health).toBe('progressing');
    expect(releaseHealth(observe({ status: status('mystery') })).health).toBe('unknown');
  });

  it('a deployed release is as healthy as its workloads', () => {
    const ref = { kind: 'Deployment' as const, name: 'api' };
    const job = { kind: 'Job' as const, name: 'migrate' };
    expect(releaseHealth(observe({ workloads: [] }))).toEqual({ health: 'healthy' });
    expect(releaseHealth(observe({ workloads: [{ ref, object: ready }] }))).toEqual({ health: 'healthy' });
    expect(releaseHealth(observe({ workloads: [{ ref, object: deployment('api', { updatedReplicas: 0 }) }] })).health).toBe('progressing');
    const someBad = releaseHealth(observe({ workloads: [{ ref, object: ready }, { ref: job, object: undefined }] }));
    expect(someBad).toEqual({ health: 'degraded', message: '1/2 workloads ready; job/migrate: not found' });
    expect(releaseHealth(observe({ workloads: [{ ref: job, object: undefined }] })).health).toBe('failed');
  });

  it('another revision than the applied one is drift: degraded with both revisions', () => {
    const h = releaseHealth(observe({ status: status('deployed', 5), appliedRevision: 3, actualDescription: 'Rollback to 2' }));
    expect(h.health).toBe('degraded');
    expect(h.drift).toEqual({ appliedRevision: 3, actualRevision: 5 });
    expect(h.message).toMatch(/^Helm release flt-x-api is at revision 5 \("Rollback to 2"\), but the agent applied revision 3: .*redeploy/);
    expect(releaseHealth(observe({ status: status('failed', 5), appliedRevision: 3 })).health).toBe('failed');
    expect(releaseHealth(observe({ status: status('deployed', 5), appliedRevision: undefined })).drift).toBeUndefined();
  });
});

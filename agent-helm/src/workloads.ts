import { parseAllDocuments } from 'yaml';
import { z } from 'zod';

/** Kinds whose readiness decides a release's health (others — ConfigMaps, Services… — are ready once applied). */
export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job'] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

/** Kinds `kubectl rollout restart` accepts. */
export const RESTARTABLE_KINDS: readonly WorkloadKind[] = ['Deployment', 'StatefulSet', 'DaemonSet'];

export interface WorkloadRef {
  kind: WorkloadKind;
  name: string;
}

/** `kind/name` as kubectl takes it (`deployment/api`). */
export function kubectlRef(ref: WorkloadRef): string {
  return `${ref.kind.toLowerCase()}/${ref.name}`;
}

const ManifestDoc = z.object({ kind: z.string(), metadata: z.object({ name: z.string() }).loose() }).loose();

/**
 * The workloads in a release manifest (`helm get manifest`: YAML documents separated by `---`,
 * each preceded by a `# Source:` comment). Documents that are not workloads are skipped.
 */
export function workloadsOfManifest(manifest: string): WorkloadRef[] {
  const refs: WorkloadRef[] = [];
  for (const doc of parseAllDocuments(manifest)) {
    const parsed = ManifestDoc.safeParse(doc.toJS());
    if (!parsed.success) continue;
    const kind = WORKLOAD_KINDS.find((k) => k === parsed.data.kind);
    if (kind !== undefined) refs.push({ kind, name: parsed.data.metadata.name });
  }
  return refs;
}

const Condition = z.object({ type: z.string(), status: z.string(), reason: z.string().optional(), message: z.string().optional() }).loose();

/** The part of `kubectl get <workload> -o json` read here (see test/fakes/README.md for the shapes). */
export const WorkloadObject = z
  .object({
    kind: z.string(),
    metadata: z.object({ name: z.string(), generation: z.number().optional() }).loose(),
    spec: z.object({ replicas: z.number().optional(), completions: z.number().optional() }).loose().default({}),
    status: z
      .object({
        observedGeneration: z.number().optional(),
        replicas: z.number().optional(),
        updatedReplicas: z.number().optional(),
        readyReplicas: z.number().optional(),
        availableReplicas: z.number().optional(),
        currentRevision: z.string().optional(),
        updateRevision: z.string().optional(),
        desiredNumberScheduled: z.number().optional(),
        updatedNumberScheduled: z.number().optional(),
        numberAvailable: z.number().optional(),
        succeeded: z.number().optional(),
        failed: z.number().optional(),
        conditions: z.array(Condition).optional(),
      })
      .loose()
      .default({}),
  })
  .loose();
export type WorkloadObject = z.infer<typeof WorkloadObject>;

/** `kubectl get a b -o json` prints a List for several objects, the object itself for one. */
export const KubectlGetOutput = z.union([z.object({ items: z.array(WorkloadObject) }).loose(), WorkloadObject]);

export function objectsOf(output: z.infer<typeof KubectlGetOutput>): WorkloadObject[] {
  return 'items' in output && Array.isArray(output.items) ? output.items : [output as WorkloadObject];
}

export type Verdict = 'ready' | 'progressing' | 'bad';

export interface WorkloadVerdict {
  verdict: Verdict;
  detail: string;
}

const condition = (o: WorkloadObject, type: string) => o.status.conditions?.find((c) => c.type === type);
const stale = (o: WorkloadObject) => o.metadata.generation !== undefined && (o.status.observedGeneration ?? 0) < o.metadata.generation;

/**
 * One workload's readiness, as `kubectl rollout status` judges it: a rollout still under way is
 * `progressing`; a Deployment past its progress deadline, a finished rollout that lost replicas,
 * or a failed Job is `bad`.
 */
export function workloadVerdict(o: WorkloadObject): WorkloadVerdict {
  const s = o.status;
  switch (o.kind) {
    case 'Deployment': {
      const want = o.spec.replicas ?? 1;
      const available = s.availableReplicas ?? 0;
      const progressing = condition(o, 'Progressing');
      if (progressing?.reason === 'ProgressDeadlineExceeded') return { verdict: 'bad', detail: `progress deadline exceeded (${available}/${want} available)` };
      const rolling = stale(o) || (s.updatedReplicas ?? 0) < want || (s.replicas ?? 0) > (s.updatedReplicas ?? 0);
      if (available >= want && !rolling) return { verdict: 'ready', detail: `${available}/${want} available` };
      // A rollout that finished earlier and then lost replicas is not "still rolling out".
      if (!rolling && progressing?.reason === 'NewReplicaSetAvailable') return { verdict: 'bad', detail: `${available}/${want} available` };
      return { verdict: 'progressing', detail: `rolling out: ${s.updatedReplicas ?? 0}/${want} updated, ${available}/${want} available` };
    }
    case 'StatefulSet': {
      const want = o.spec.replicas ?? 1;
      const ready = s.readyReplicas ?? 0;
      const updating = stale(o) || (s.updateRevision !== undefined && s.currentRevision !== s.updateRevision);
      if (ready >= want && !updating) return { verdict: 'ready', detail: `${ready}/${want} ready` };
      return { verdict: 'progressing', detail: `${ready}/${want} ready${updating ? ', rolling out' : ''}` };
    }
    case 'DaemonSet': {
      const want = s.desiredNumberScheduled ?? 0;
      const available = s.numberAvailable ?? 0;
      if (available >= want && (s.updatedNumberScheduled ?? 0) >= want && !stale(o)) return { verdict: 'ready', detail: `${available}/${want} available` };
      return { verdict: 'progressing', detail: `${available}/${want} available` };
    }
    case 'Job': {
      const failed = condition(o, 'Failed');
      if (failed?.status === 'True') return { verdict: 'bad', detail: `failed${failed.reason === undefined ? '' : `: ${failed.reason}`}${failed.message === undefined ? '' : ` (${failed.message})`}` };
      if (condition(o, 'Complete')?.status === 'True' || (s.succeeded ?? 0) >= (o.spec.completions ?? 1)) return { verdict: 'ready', detail: 'completed' };
      return { verdict: 'progressing', detail: `running (${s.succeeded ?? 0}/${o.spec.completions ?? 1} succeeded)` };
    }
    default:
      return { verdict: 'ready', detail: 'applied' };
  }
}

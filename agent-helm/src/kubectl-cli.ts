import { z } from 'zod';
import { kubectlRef, type WorkloadRef } from './workloads.js';

/** Pure argument lists for `kubectl` (readiness, restarts, logs, the agent's own image). */

/** `kubectl get deployment/a job/b -o json --ignore-not-found`: absent objects are left out, not an error. */
export const getArgs = (refs: readonly WorkloadRef[], namespace: string) => ['get', ...refs.map(kubectlRef), '--namespace', namespace, '-o', 'json', '--ignore-not-found'];

export const rolloutRestartArgs = (refs: readonly WorkloadRef[], namespace: string) => ['rollout', 'restart', ...refs.map(kubectlRef), '--namespace', namespace];

export const logsArgs = (ref: WorkloadRef, namespace: string, lines: number) => [
  'logs',
  kubectlRef(ref),
  '--namespace',
  namespace,
  `--tail=${lines}`,
  '--all-containers=true',
  '--prefix=true',
];

/** The container of the agent's Deployment in the install manifest. */
export const AGENT_CONTAINER = 'agent';

export const setImageArgs = (deployment: string, image: string, namespace: string) => ['set', 'image', `deployment/${deployment}`, `${AGENT_CONTAINER}=${image}`, '--namespace', namespace];

export const versionArgs = ['version', '--client', '-o', 'json'];

/** `kubectl version --client -o json`. */
export const KubectlVersion = z.object({ clientVersion: z.object({ gitVersion: z.string() }).loose() }).loose();

/** The Secret that holds the customer's license for the vendor's charts (`license` key). */
export const LICENSE_SECRET = 'flotilla-license';

/** The license Secret as a manifest for `kubectl apply -f -` (on stdin: the license never goes into argv). */
export function licenseSecretManifest(namespace: string, license: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: LICENSE_SECRET, namespace, labels: { 'app.kubernetes.io/managed-by': 'flotilla-agent' } },
    type: 'Opaque',
    stringData: { license },
  });
}

export const applyStdinArgs = (namespace: string) => ['apply', '-f', '-', '--namespace', namespace];

export const deleteLicenseArgs = (namespace: string) => ['delete', 'secret', LICENSE_SECRET, '--namespace', namespace, '--ignore-not-found'];

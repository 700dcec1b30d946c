import { z } from 'zod';
import type { ComponentUsage } from '@flotilla/protocol';

/** The label most charts put on a release's pods (Helm's own convention for `app.kubernetes.io/instance`). */
export const INSTANCE_LABEL = 'app.kubernetes.io/instance';

/** `kubectl get pods` and `kubectl top pods` of the given releases' pods, by the instance label. */
export const podSelector = (releases: readonly string[]) => `${INSTANCE_LABEL} in (${releases.join(',')})`;
export const getPodsArgs = (releases: readonly string[], namespace: string) => ['get', 'pods', '--namespace', namespace, '-l', podSelector(releases), '-o', 'json'];
export const topPodsArgs = (releases: readonly string[], namespace: string) => ['top', 'pods', '--namespace', namespace, '-l', podSelector(releases), '--no-headers'];

export const PodList = z.object({
  items: z.array(
    z
      .object({
        metadata: z.object({ name: z.string(), labels: z.record(z.string(), z.string()).nullable().optional() }).loose(),
        status: z.object({ containerStatuses: z.array(z.object({ restartCount: z.number() }).loose()).nullable().optional() }).loose().optional(),
      })
      .loose(),
  ),
});
export type PodList = z.infer<typeof PodList>;

const MEMORY_UNITS: Record<string, number> = { '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };

/** A Kubernetes CPU quantity ("250m", "2", "1500000n") in percent of one core. */
export function cpuQuantityPercent(q: string): number {
  const m = /^([\d.]+)(n|u|m)?$/.exec(q.trim());
  if (m === null) throw new Error(`unreadable CPU quantity "${q}"`);
  const cores = Number(m[1]) / ({ n: 1e9, u: 1e6, m: 1e3 }[m[2] ?? ''] ?? 1);
  return Math.round(cores * 100 * 100) / 100;
}

/** A Kubernetes memory quantity ("34Mi", "1G", "512") in bytes. */
export function memoryQuantityBytes(q: string): number {
  const m = /^([\d.]+)([a-zA-Z]*)$/.exec(q.trim());
  const unit = MEMORY_UNITS[m?.[2] ?? '?'];
  if (m === null || unit === undefined) throw new Error(`unreadable memory quantity "${q}"`);
  return Math.round(Number(m[1]) * unit);
}

/** `kubectl top pods --no-headers` lines ("name   12m   34Mi") by pod name. */
export function parseTopPods(stdout: string): Map<string, { cpuPercent: number; memoryBytes: number }> {
  const out = new Map<string, { cpuPercent: number; memoryBytes: number }>();
  for (const line of stdout.split('\n')) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 3 || cols[0] === '') continue;
    out.set(cols[0] ?? '', { cpuPercent: cpuQuantityPercent(cols[1] ?? ''), memoryBytes: memoryQuantityBytes(cols[2] ?? '') });
  }
  return out;
}

/** True when kubectl says the cluster serves no metrics API (no metrics-server). */
export const isMetricsApiMissing = (stderr: string) => /metrics api not available|metrics\.k8s\.io|the server could not find the requested resource/i.test(stderr);

/** Sums pods per component: `components` maps release name → component name. Pods without figures count 0 CPU/memory. */
export function sumPods(pods: PodList, top: ReadonlyMap<string, { cpuPercent: number; memoryBytes: number }>, components: ReadonlyMap<string, string>): ComponentUsage[] {
  const sums = new Map<string, ComponentUsage>();
  for (const pod of pods.items) {
    const name = components.get(pod.metadata.labels?.[INSTANCE_LABEL] ?? '');
    if (name === undefined) continue;
    const s = sums.get(name) ?? { name, cpuPercent: 0, memoryBytes: 0, restarts: 0 };
    const figures = top.get(pod.metadata.name);
    s.cpuPercent = Math.round((s.cpuPercent + (figures?.cpuPercent ?? 0)) * 100) / 100;
    s.memoryBytes += figures?.memoryBytes ?? 0;
    s.restarts += (pod.status?.containerStatuses ?? []).reduce((n, c) => n + c.restartCount, 0);
    sums.set(name, s);
  }
  return [...sums.values()];
}

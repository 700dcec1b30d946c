import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { canonicalJson, DriverError, type ApplyContext, type ComponentMetrics, type Driver, type DriverContext, type HealthSample, type Logger, type SupportFile } from '@flotilla/agent-core';
import type { DesiredComponent, HelmSpec } from '@flotilla/protocol';
import { AppliedRevisions } from './applied-revisions.js';
import { cliEnvironment } from './cli-env.js';
import { execCommand, failureText, type Exec, type ExecOptions, type ExecResult } from '@flotilla/agent-core';
import { driftOf, releaseHealth } from './health.js';
import { HelmHistory, HelmRelease, historyArgs, isReleaseNotFound, manifestArgs, rollbackArgs, shortVersion, statusArgs, uninstallArgs, upgradePlan } from './helm-cli.js';
import { applyStdinArgs, deleteLicenseArgs, getArgs, KubectlVersion, licenseSecretManifest, logsArgs, rolloutRestartArgs, setImageArgs, versionArgs } from './kubectl-cli.js';
import { releaseName } from './release-name.js';
import { getPodsArgs, isMetricsApiMissing, parseTopPods, PodList, sumPods, topPodsArgs } from './pod-metrics.js';
import { Workspace } from './workspace.js';
import { KubectlGetOutput, objectsOf, RESTARTABLE_KINDS, workloadsOfManifest, type WorkloadObject, type WorkloadRef } from './workloads.js';

export interface HelmDriverOptions {
  /** The agent's state directory: applied revisions, helm's cache, per-operation temp dirs. */
  stateDir: string;
  /** The namespace releases are installed into. */
  namespace: string;
  logger: Logger;
  /** The agent's own Deployment and its namespace, for self-update (absent: self-update is refused). */
  agentDeployment?: { name: string; namespace: string };
  /** `--timeout` for `--wait` when the spec gives none (seconds, default 300). */
  defaultTimeoutSeconds?: number;
  /** Runs the CLIs (tests wrap it). */
  exec?: Exec;
  /** Environment the CLIs inherit, filtered to what they use (default: process.env). */
  env?: Record<string, string | undefined>;
  helmBin?: string;
  kubectlBin?: string;
}

/** Limit for reads (status, manifest, kubectl get). */
const READ_TIMEOUT_MS = 60_000;
/** Added to helm's own `--timeout` before the process is killed. */
const GRACE_MS = 60_000;

type ObservedWorkload = { ref: WorkloadRef; object: WorkloadObject | undefined };

/**
 * The fingerprint of a spec: equal specs give equal hashes, whatever the key order. The password is
 * left out: a changed password alone changes nothing that runs, and no hash of it lands on disk.
 */
export function specHash(spec: HelmSpec): string {
  const { credentials, ...rest } = spec;
  const hashed = credentials === undefined ? rest : { ...rest, username: credentials.username };
  return createHash('sha256').update(canonicalJson(hashed)).digest('hex').slice(0, 32);
}

/**
 * Applies helm components as Helm releases (`flt-<installation>-<component>`) with the helm CLI,
 * and judges their health from `helm status` plus the readiness of the release's workloads
 * (`helm get manifest` → `kubectl get`). The revision each install/upgrade produced is kept in the
 * state dir: a release at another revision has drifted (changed outside Flotilla) and is reported
 * as such; applying the same spec again upgrades it back.
 */
export class HelmDriver implements Driver {
  readonly kind = 'helm' as const;
  private readonly exec: Exec;
  private readonly env: Record<string, string>;
  private readonly helmBin: string;
  private readonly kubectlBin: string;
  private readonly applied: AppliedRevisions;

  constructor(private readonly opts: HelmDriverOptions) {
    this.exec = opts.exec ?? execCommand;
    this.env = cliEnvironment(opts.env ?? process.env, opts.stateDir);
    this.helmBin = opts.helmBin ?? 'helm';
    this.kubectlBin = opts.kubectlBin ?? 'kubectl';
    this.applied = new AppliedRevisions(opts.stateDir);
  }

  async init(ctx: DriverContext): Promise<void> {
    await mkdir(this.tmpDir(), { recursive: true, mode: 0o700 });
    const version = await this.helm(['version', '--short']);
    if (version.code !== 0) throw new DriverError(`helm is not usable: ${failureText(version, 500)}`);
    ctx.logger.info({ helm: shortVersion(version.stdout), namespace: this.opts.namespace }, 'helm detected');
  }

  async runtimeInfo(): Promise<string> {
    const [helm, kubectl] = await Promise.all([this.helm(['version', '--short']), this.kubectl(versionArgs)]);
    const helmVersion = helm.code === 0 ? shortVersion(helm.stdout) : '(unavailable)';
    const parsed = KubectlVersion.safeParse(safeJson(kubectl.stdout));
    return `helm ${helmVersion} / kubectl ${parsed.success ? parsed.data.clientVersion.gitVersion : '(unavailable)'}`;
  }

  async apply(component: DesiredComponent, ctx: ApplyContext): Promise<void> {
    if (component.kind !== 'helm') throw new DriverError(`component "${component.name}" is not a helm component`);
    const release = releaseName(ctx.installationId, component.name);
    const hash = specHash(component.spec);
    const before = await this.status(release);
    const record = await this.applied.get(release);
    // Unchanged and undrifted: nothing to do, unless a redeploy forces the upgrade.
    if (ctx.force !== true && before?.info.status === 'deployed' && record?.revision === before.version && record.specHash === hash) {
      ctx.logger.info({ component: component.name, release, revision: before.version }, 'release already at this spec');
      return;
    }
    const timeoutSeconds = component.spec.timeoutSeconds ?? this.opts.defaultTimeoutSeconds ?? 300;
    const workspace = await Workspace.create(this.tmpDir(), component.spec.values ?? '');
    try {
      const plan = upgradePlan(release, this.opts.namespace, component.spec, workspace.files, timeoutSeconds);
      if (plan.login !== undefined) {
        const login = await this.helm(plan.login.args, { stdin: plan.login.stdin, signal: ctx.signal });
        if (login.code !== 0) throw new DriverError(failureText(login), { release, step: plan.login.args.slice(0, 2).join(' ') });
      }
      ctx.logger.info({ component: component.name, version: component.version, release, chartVersion: component.spec.chartVersion }, 'helm upgrade --install');
      const result = await this.helm(plan.upgrade, { signal: ctx.signal, timeoutMs: timeoutSeconds * 1000 + GRACE_MS });
      await this.recordOutcome(release, before, result.code === 0 ? hash : null);
      if (result.code !== 0) throw new DriverError(failureText(result), { release, exitCode: result.code });
    } finally {
      await workspace.dispose();
    }
  }

  async remove(component: DesiredComponent, ctx: DriverContext): Promise<void> {
    const release = releaseName(ctx.installationId, component.name);
    ctx.logger.info({ component: component.name, release }, 'helm uninstall');
    const result = await this.helm(uninstallArgs(release, this.opts.namespace, this.opts.defaultTimeoutSeconds ?? 300), { signal: ctx.signal });
    if (result.code !== 0 && !isReleaseNotFound(result.stderr)) throw new DriverError(failureText(result), { release });
    await this.applied.delete(release);
  }

  async health(components: readonly DesiredComponent[], ctx: DriverContext): Promise<Map<string, HealthSample>> {
    const entries = await Promise.all(
      components.map(async (c) => [c.name, await this.releaseHealth(releaseName(ctx.installationId, c.name))] as const),
    );
    return new Map(entries);
  }

  /** `helm rollback` to the previous revision; the revision it creates is the agent's own (no drift). */
  async rollback(component: DesiredComponent, ctx: DriverContext): Promise<void> {
    const release = releaseName(ctx.installationId, component.name);
    const before = await this.status(release);
    if (before === undefined) throw new DriverError(`Helm release ${release} is not installed: nothing to roll back`);
    ctx.logger.info({ component: component.name, release, from: before.version }, 'helm rollback');
    const result = await this.helm(rollbackArgs(release, this.opts.namespace, this.opts.defaultTimeoutSeconds ?? 300), { signal: ctx.signal });
    await this.recordOutcome(release, before, null);
    if (result.code !== 0) throw new DriverError(failureText(result), { release });
  }

  /**
   * CPU and memory from the cluster's metrics API (`kubectl top pods`), restarts from the pods'
   * container statuses; pods are found by the `app.kubernetes.io/instance` label most charts set.
   * Without a metrics API (no metrics-server), says so instead.
   */
  async metrics(components: readonly DesiredComponent[], ctx: DriverContext): Promise<ComponentMetrics> {
    const byRelease = new Map(components.map((c) => [releaseName(ctx.installationId, c.name), c.name]));
    const releases = [...byRelease.keys()];
    const top = await this.kubectl(topPodsArgs(releases, this.opts.namespace), { timeoutMs: READ_TIMEOUT_MS });
    if (top.code !== 0) {
      if (isMetricsApiMissing(top.stderr)) return { components: [], unavailable: `the cluster has no metrics API (install metrics-server): ${failureText(top, 300)}` };
      throw new DriverError(`kubectl top failed: ${failureText(top, 1000)}`);
    }
    const pods = await this.kubectl(getPodsArgs(releases, this.opts.namespace), { timeoutMs: READ_TIMEOUT_MS });
    const parsed = PodList.safeParse(safeJson(pods.stdout));
    if (pods.code !== 0 || !parsed.success) throw new DriverError(`kubectl get pods failed: ${failureText(pods, 1000)}`);
    return { components: sumPods(parsed.data, parseTopPods(top.stdout), byRelease) };
  }

  /** The customer's license as the Secret `flotilla-license` (key `license`) in the release namespace; null deletes it. */
  async license(license: string | null, ctx: DriverContext): Promise<void> {
    const ns = this.opts.namespace;
    const result =
      license === null
        ? await this.kubectl(deleteLicenseArgs(ns), { signal: ctx.signal, timeoutMs: READ_TIMEOUT_MS })
        : await this.kubectl(applyStdinArgs(ns), { stdin: licenseSecretManifest(ns, license), signal: ctx.signal, timeoutMs: READ_TIMEOUT_MS });
    if (result.code !== 0) throw new DriverError(`kubectl could not ${license === null ? 'delete' : 'apply'} the license Secret: ${failureText(result, 1000)}`);
  }

  /**
   * Support bundle runtime facts per component: `helm status` (without the rendered manifest, which
   * may hold Secrets) and the release's pods (`kubectl get pods -o json`).
   */
  async supportFiles(components: readonly DesiredComponent[], ctx: DriverContext): Promise<SupportFile[]> {
    const files: SupportFile[] = [];
    for (const c of components) {
      const release = releaseName(ctx.installationId, c.name);
      const status = await this.helm(statusArgs(release, this.opts.namespace), { timeoutMs: READ_TIMEOUT_MS });
      const parsed = safeJson(status.stdout);
      if (status.code === 0 && parsed !== null && typeof parsed === 'object') {
        const { manifest: _manifest, ...rest } = parsed as Record<string, unknown>;
        files.push({ name: `${c.name}/helm-status.json`, description: `Release "${release}" (\`helm status\`, without its manifest)`, json: rest });
      } else {
        files.push({ name: `${c.name}/helm-status.txt`, description: `Release "${release}" (\`helm status\`)`, text: failureText(status, 4000) });
      }
      const pods = await this.kubectl(getPodsArgs([release], this.opts.namespace), { timeoutMs: READ_TIMEOUT_MS });
      const podJson = safeJson(pods.stdout);
      files.push(
        pods.code === 0 && podJson !== undefined
          ? { name: `${c.name}/pods.json`, description: `The pods of "${release}" (\`kubectl get pods -o json\`)`, json: podJson }
          : { name: `${c.name}/pods.txt`, description: `The pods of "${release}" (\`kubectl get pods\`)`, text: failureText(pods, 4000) },
      );
    }
    return files;
  }

  /** `kubectl rollout restart` of the release's Deployments, StatefulSets and DaemonSets. */
  async restart(component: DesiredComponent, ctx: DriverContext): Promise<void> {
    const release = releaseName(ctx.installationId, component.name);
    const refs = (await this.workloadRefs(release)).filter((r) => RESTARTABLE_KINDS.includes(r.kind));
    if (refs.length === 0) throw new DriverError(`Helm release ${release} has no Deployment, StatefulSet or DaemonSet to restart`);
    ctx.logger.info({ component: component.name, release, workloads: refs.length }, 'kubectl rollout restart');
    const result = await this.kubectl(rolloutRestartArgs(refs, this.opts.namespace), { signal: ctx.signal });
    if (result.code !== 0) throw new DriverError(failureText(result), { release });
  }

  /** The last `lines` lines of the release's workloads (`kubectl logs --prefix`), oldest first. */
  async logs(component: DesiredComponent, lines: number, ctx: DriverContext): Promise<string[]> {
    const release = releaseName(ctx.installationId, component.name);
    const out: string[] = [];
    for (const ref of await this.workloadRefs(release)) {
      const result = await this.kubectl(logsArgs(ref, this.opts.namespace, lines), { signal: ctx.signal });
      if (result.code === 0) out.push(...result.stdout.split('\n').filter((l) => l !== ''));
      else out.push(`[${ref.kind.toLowerCase()}/${ref.name}] ${failureText(result, 500)}`);
    }
    return out.slice(-lines);
  }

  /** Points the agent's own Deployment at `image`; Kubernetes then replaces this pod. */
  async selfUpdate(image: string, ctx: DriverContext): Promise<void> {
    const own = this.opts.agentDeployment;
    if (own === undefined) throw new DriverError('self-update needs FLOTILLA_AGENT_DEPLOYMENT (the agent\'s own Deployment); it is set by the install manifest');
    ctx.logger.info({ deployment: own.name, namespace: own.namespace, image }, 'updating the agent Deployment image');
    const result = await this.kubectl(setImageArgs(own.name, image, own.namespace), { signal: ctx.signal });
    if (result.code !== 0) throw new DriverError(failureText(result), { deployment: own.name });
  }

  private async releaseHealth(release: string): Promise<HealthSample> {
    let status: HelmRelease | undefined;
    try {
      status = await this.status(release);
    } catch (err) {
      return { health: 'unknown', message: err instanceof Error ? err.message : String(err) };
    }
    let workloads: ObservedWorkload[] = [];
    if (status?.info.status === 'deployed') {
      try {
        workloads = await this.workloads(release);
      } catch (err) {
        return { health: 'unknown', message: err instanceof Error ? err.message : String(err) };
      }
    }
    const appliedRevision = (await this.applied.get(release))?.revision;
    const drift = status === undefined ? undefined : driftOf(appliedRevision, status.version);
    const actualDescription = drift === undefined ? undefined : await this.revisionDescription(release, drift.actualRevision);
    return releaseHealth({ release, status, appliedRevision, actualDescription, workloads });
  }

  /** After an install/upgrade/rollback: remember the revision it produced, whether it succeeded or not. */
  private async recordOutcome(release: string, before: HelmRelease | undefined, hash: string | null): Promise<void> {
    const after = await this.status(release).catch(() => undefined);
    if (after !== undefined && after.version !== before?.version) await this.applied.set(release, { revision: after.version, specHash: hash });
  }

  /** `helm status`, or undefined when the release does not exist. */
  private async status(release: string): Promise<HelmRelease | undefined> {
    const result = await this.helm(statusArgs(release, this.opts.namespace), { timeoutMs: READ_TIMEOUT_MS });
    if (result.code !== 0) {
      if (isReleaseNotFound(result.stderr)) return undefined;
      throw new DriverError(`helm status failed: ${failureText(result, 1000)}`, { release });
    }
    const parsed = HelmRelease.safeParse(safeJson(result.stdout));
    if (!parsed.success) throw new DriverError(`helm status printed unexpected output for ${release}`);
    return parsed.data;
  }

  /** What `helm history` says a revision was (best effort: undefined when it cannot tell). */
  private async revisionDescription(release: string, revision: number): Promise<string | undefined> {
    const result = await this.helm(historyArgs(release, this.opts.namespace), { timeoutMs: READ_TIMEOUT_MS });
    const parsed = HelmHistory.safeParse(safeJson(result.stdout));
    return result.code === 0 && parsed.success ? parsed.data.find((h) => h.revision === revision)?.description : undefined;
  }

  private async workloadRefs(release: string): Promise<WorkloadRef[]> {
    const result = await this.helm(manifestArgs(release, this.opts.namespace), { timeoutMs: READ_TIMEOUT_MS });
    if (result.code !== 0) {
      if (isReleaseNotFound(result.stderr)) throw new DriverError(`Helm release ${release} is not installed`);
      throw new DriverError(`helm get manifest failed: ${failureText(result, 1000)}`, { release });
    }
    return workloadsOfManifest(result.stdout);
  }

  private async workloads(release: string): Promise<ObservedWorkload[]> {
    const refs = await this.workloadRefs(release);
    if (refs.length === 0) return [];
    const result = await this.kubectl(getArgs(refs, this.opts.namespace), { timeoutMs: READ_TIMEOUT_MS });
    if (result.code !== 0) throw new DriverError(`kubectl get failed: ${failureText(result, 1000)}`, { release });
    const parsed = result.stdout.trim() === '' ? { success: true as const, data: { items: [] } } : KubectlGetOutput.safeParse(safeJson(result.stdout));
    if (!parsed.success) throw new DriverError(`kubectl get printed unexpected output for ${release}`);
    const objects = objectsOf(parsed.data);
    return refs.map((ref) => ({ ref, object: objects.find((o) => o.kind === ref.kind && o.metadata.name === ref.name) }));
  }

  private tmpDir(): string {
    return path.join(this.opts.stateDir, 'tmp');
  }

  private helm(args: readonly string[], extra: Partial<ExecOptions> = {}): Promise<ExecResult> {
    return this.run(this.helmBin, args, extra);
  }

  private kubectl(args: readonly string[], extra: Partial<ExecOptions> = {}): Promise<ExecResult> {
    return this.run(this.kubectlBin, args, extra);
  }

  private async run(command: string, args: readonly string[], extra: Partial<ExecOptions>): Promise<ExecResult> {
    const started = Date.now();
    const result = await this.exec(command, args, { env: this.env, timeoutMs: READ_TIMEOUT_MS, ...extra });
    // Arguments never carry secrets (passwords go on stdin); stdin itself is never logged.
    this.opts.logger.debug({ command, args: args.join(' '), code: result.code, ms: Date.now() - started }, 'cli call');
    return result;
  }
}

export function createHelmDriver(opts: HelmDriverOptions): HelmDriver {
  return new HelmDriver(opts);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

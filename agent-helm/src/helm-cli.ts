import { z } from 'zod';
import type { HelmSpec } from '@flotilla/protocol';

/**
 * Pure helpers for the `helm` CLI (v3): argument lists and the JSON it prints. No I/O here; the
 * driver runs the commands. Passwords never appear in any argument list built here: they go to
 * `--password-stdin`.
 */

/** `helm status <release> -o json`: the release object (only the fields the agent reads). */
export const HelmRelease = z
  .object({
    name: z.string(),
    namespace: z.string().optional(),
    /** The release revision. */
    version: z.number().int().min(0),
    info: z
      .object({
        status: z.string(),
        description: z.string().optional(),
        last_deployed: z.string().optional(),
      })
      .loose(),
    chart: z
      .object({ metadata: z.object({ name: z.string(), version: z.string() }).loose() })
      .loose()
      .optional(),
  })
  .loose();
export type HelmRelease = z.infer<typeof HelmRelease>;

/** `helm history <release> -o json`: one entry per revision, oldest first. */
export const HelmHistory = z.array(
  z
    .object({
      revision: z.number().int().min(0),
      status: z.string(),
      chart: z.string(),
      app_version: z.string().optional(),
      description: z.string().optional(),
      updated: z.string().optional(),
    })
    .loose(),
);
export type HelmHistory = z.infer<typeof HelmHistory>;

/** helm's wording when a release does not exist (status, history, get, uninstall). */
export function isReleaseNotFound(stderr: string): boolean {
  return /release: not found/i.test(stderr);
}

/** Private, per-call locations of the helm client's repository and registry configuration. */
export interface ClientFiles {
  valuesFile: string;
  repositoryConfig: string;
  repositoryCache: string;
  registryConfig: string;
}

/** The repository alias used for authenticated repositories in the private repository config. */
export const REPO_ALIAS = 'flotilla';

/** A login that must run before the upgrade, the password on stdin. */
export interface LoginStep {
  args: string[];
  stdin: string;
}

export interface UpgradePlan {
  login: LoginStep | undefined;
  upgrade: string[];
}

/**
 * The chart reference of an OCI chart: the `oci` value when it already names the chart
 * (`oci://registry/charts/api`), else the chart appended to it (`oci://registry/charts` + `api`).
 */
export function ociReference(spec: Pick<HelmSpec, 'chart' | 'oci'>): string {
  const oci = (spec.oci ?? '').replace(/\/+$/, '');
  return oci.split('/').at(-1) === spec.chart ? oci : `${oci}/${spec.chart}`;
}

/** The registry host (with port) of an `oci://` reference, which `helm registry login` expects. */
export function ociRegistry(reference: string): string {
  return reference.replace(/^oci:\/\//, '').split('/')[0] ?? '';
}

/**
 * How to install/upgrade one release:
 * - repository chart, no credentials: `upgrade --install R CHART --repo URL`;
 * - repository chart with credentials: `repo add flotilla URL --username U --password-stdin` into a
 *   private repository config, then `upgrade --install R flotilla/CHART` with that config;
 * - OCI chart: `upgrade --install R oci://…`, after `registry login HOST --username U
 *   --password-stdin` into a private registry config when there are credentials.
 */
export function upgradePlan(release: string, namespace: string, spec: HelmSpec, files: ClientFiles, timeoutSeconds: number): UpgradePlan {
  const common = ['--version', spec.chartVersion, '--namespace', namespace, '-f', files.valuesFile, '--wait', '--timeout', `${timeoutSeconds}s`];
  const creds = spec.credentials;
  if (spec.oci !== undefined && spec.oci !== '') {
    const ref = ociReference(spec);
    const registryFlags = ['--registry-config', files.registryConfig];
    const login =
      creds === undefined
        ? undefined
        : { args: ['registry', 'login', ociRegistry(ref), '--username', creds.username, '--password-stdin', ...registryFlags], stdin: creds.password };
    return { login, upgrade: ['upgrade', '--install', release, ref, ...common, ...registryFlags] };
  }
  const repo = spec.repo ?? '';
  if (creds === undefined) return { login: undefined, upgrade: ['upgrade', '--install', release, spec.chart, '--repo', repo, ...common] };
  const repoFlags = ['--repository-config', files.repositoryConfig, '--repository-cache', files.repositoryCache];
  return {
    login: { args: ['repo', 'add', REPO_ALIAS, repo, '--username', creds.username, '--password-stdin', ...repoFlags], stdin: creds.password },
    upgrade: ['upgrade', '--install', release, `${REPO_ALIAS}/${spec.chart}`, ...common, ...repoFlags],
  };
}

export const statusArgs = (release: string, namespace: string) => ['status', release, '--namespace', namespace, '-o', 'json'];
export const historyArgs = (release: string, namespace: string) => ['history', release, '--namespace', namespace, '-o', 'json', '--max', '20'];
export const manifestArgs = (release: string, namespace: string) => ['get', 'manifest', release, '--namespace', namespace];
export const uninstallArgs = (release: string, namespace: string, timeoutSeconds: number) => ['uninstall', release, '--namespace', namespace, '--wait', '--timeout', `${timeoutSeconds}s`];

/** `helm rollback R` without a revision returns to the previous one. */
export const rollbackArgs = (release: string, namespace: string, timeoutSeconds: number) => ['rollback', release, '--namespace', namespace, '--wait', '--timeout', `${timeoutSeconds}s`];

/** "v3.16.4+g7877b45" → "v3.16.4". */
export function shortVersion(text: string): string {
  const first = text.trim().split('\n')[0]?.trim() ?? '';
  return first.replace(/\+.*$/, '');
}

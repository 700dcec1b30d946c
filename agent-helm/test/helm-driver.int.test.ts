import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DriverError, uninstallOrder, type DriverContext, type HealthSample } from '@flotilla/agent-core';
import type { DesiredComponent, HelmSpec } from '@flotilla/protocol';
import { execCommand, type Exec } from '@flotilla/agent-core';
import { HelmDriver } from '../src/helm-driver.js';
import { releaseName } from '../src/release-name.js';
import { FakeCluster } from './fake-cluster.js';

const NS = 'shop';
const REPO = 'https://charts.example.com';
const PASSWORD = 'hunter2-very-secret';

let cluster: FakeCluster;
let stateDir: string;
let installationId: string;
let logText: string;
let valuesFileModes: number[];
let ctx: DriverContext;
let driver: HelmDriver;

/** Records the values file's mode at the moment helm is given it. */
const inspectingExec: Exec = async (command, args, options) => {
  const i = args.indexOf('-f');
  const file = i === -1 ? undefined : args[i + 1];
  if (file !== undefined) valuesFileModes.push((await stat(file)).mode & 0o777, (await stat(path.dirname(file))).mode & 0o777);
  return execCommand(command, args, options);
};

function makeDriver(extra: Partial<ConstructorParameters<typeof HelmDriver>[0]> = {}): HelmDriver {
  const logger = pino({ level: 'trace' }, { write: (line: string) => (logText += line) });
  ctx = { installationId, logger, signal: new AbortController().signal };
  // The agent's own secret is in its environment; helm and kubectl must not inherit it.
  const env = { ...cluster.env(), FLOTILLA_AGENT_SECRET: 'fas_agent_secret' };
  return new HelmDriver({ stateDir, namespace: NS, logger, env, exec: inspectingExec, defaultTimeoutSeconds: 60, ...extra });
}

beforeEach(async () => {
  cluster = await FakeCluster.create();
  stateDir = await mkdtemp(path.join(os.tmpdir(), 'flotilla-helm-state-'));
  installationId = randomBytes(4).toString('hex');
  logText = '';
  valuesFileModes = [];
  driver = makeDriver();
  await driver.init(ctx);
});

afterEach(async () => {
  await cluster.dispose();
  await rm(stateDir, { recursive: true, force: true });
});

const api = (version: string, spec: Partial<HelmSpec> = {}): DesiredComponent => ({
  name: 'api',
  kind: 'helm',
  version,
  stage: 1,
  spec: { chart: 'api', repo: REPO, chartVersion: version, values: `image:\n  tag: "${version}"\n`, ...spec },
});
const release = () => releaseName(installationId, 'api');
const apply = (c: DesiredComponent) => driver.apply(c, { ...ctx, revision: 1, previous: undefined });
const health = async (c = api('1.0.0')): Promise<HealthSample | undefined> => (await driver.health([c], ctx)).get(c.name);
const image = async () => (await cluster.object(NS, 'Deployment', release()))?.spec.template?.spec?.containers?.[0]?.image;
const statuses = async () => (await cluster.revisions(NS, release()))?.map((r) => `${r.version}:${r.status}`);

async function rejection(p: Promise<unknown>): Promise<DriverError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(DriverError);
  return err as DriverError;
}

describe('HelmDriver with the fake helm and kubectl', () => {
  it('reports the helm and kubectl versions', async () => {
    expect(await driver.runtimeInfo()).toBe('helm v3.16.4 / kubectl v1.31.4');
  });

  it('installs, then upgrades: one revision each, healthy, values from a private file removed afterwards', async () => {
    await apply(api('1.0.0'));
    expect(await statuses()).toEqual(['1:deployed']);
    expect(await image()).toBe('registry.example.com/api:1.0.0');
    expect(await health()).toEqual({ health: 'healthy' });

    await apply(api('1.1.0', { values: 'replicaCount: 3\nimage:\n  tag: "1.1.0"\n' }));
    expect(await statuses()).toEqual(['1:superseded', '2:deployed']);
    expect((await cluster.revisions(NS, release()))?.[1]?.values).toEqual({ replicaCount: 3, image: { tag: '1.1.0' } });
    expect(await image()).toBe('registry.example.com/api:1.1.0');

    const [upgrade] = await cluster.helmCalls('upgrade');
    expect(upgrade?.argv).toEqual(['upgrade', '--install', release(), 'api', '--repo', REPO, '--version', '1.0.0', '--namespace', NS, '-f', expect.stringContaining(stateDir) as string, '--wait', '--timeout', '60s']);
    expect(valuesFileModes).toEqual([0o600, 0o700, 0o600, 0o700]);
    expect(await readdir(path.join(stateDir, 'tmp'))).toEqual([]);
  });

  it('applying the spec that runs changes nothing, unless forced', async () => {
    await apply(api('1.0.0'));
    await apply(api('1.0.0'));
    expect(await cluster.helmCalls('upgrade')).toHaveLength(1);
    expect(await statuses()).toEqual(['1:deployed']);
    // …unless a redeploy forces it.
    await driver.apply(api('1.0.0'), { ...ctx, revision: 1, previous: api('1.0.0'), force: true });
    expect(await statuses()).toEqual(['1:superseded', '2:deployed']);
  });

  it('a failed upgrade rejects with helm\'s error and the previous release keeps running', async () => {
    await apply(api('1.0.0'));
    const err = await rejection(apply(api('9.9.9-fail')));
    expect(err.message).toBe('Error: UPGRADE FAILED: context deadline exceeded');
    expect(await statuses()).toEqual(['1:deployed', '2:failed']);
    expect(await image()).toBe('registry.example.com/api:1.0.0');
    // The failed revision is the agent's own: reported as failed, not as drift.
    const h = await health();
    expect(h).toEqual({ health: 'failed', message: 'revision 2 failed: Upgrade "' + release() + '" failed: context deadline exceeded' });
    // Applying a good version again recovers, with one upgrade per apply (no retry loop).
    await apply(api('1.0.1'));
    expect(await cluster.helmCalls('upgrade')).toHaveLength(3);
    expect(await health()).toEqual({ health: 'healthy' });
  });

  it('a failed first install reports helm\'s INSTALLATION FAILED text', async () => {
    const err = await rejection(apply(api('1.0.0-fail')));
    expect(err.message).toBe('Error: INSTALLATION FAILED: context deadline exceeded');
    expect((await health())?.health).toBe('failed');
  });

  it('rolls back to the previous revision; the rollback is the agent\'s own revision, not drift', async () => {
    await apply(api('1.0.0'));
    await apply(api('2.0.0'));
    await driver.rollback(api('2.0.0'), ctx);
    expect((await cluster.revisions(NS, release()))?.map((r) => r.description)).toEqual(['Install complete', 'Upgrade complete', 'Rollback to 1']);
    expect(await image()).toBe('registry.example.com/api:1.0.0');
    expect(await health()).toEqual({ health: 'healthy' });
    expect((await cluster.helmCalls('rollback'))[0]?.argv).toEqual(['rollback', release(), '--namespace', NS, '--wait', '--timeout', '60s']);
    // Re-applying the desired spec after a rollback upgrades again.
    await apply(api('2.0.0'));
    expect(await image()).toBe('registry.example.com/api:2.0.0');
    await expect(driver.rollback({ ...api('1.0.0'), name: 'other' }, ctx)).rejects.toThrow(/not installed: nothing to roll back/);
  });

  it('uninstalls a component that left the desired state; uninstalling again is fine', async () => {
    await apply(api('1.0.0'));
    await driver.remove(api('1.0.0'), ctx);
    expect(await cluster.revisions(NS, release())).toBeUndefined();
    expect(await cluster.object(NS, 'Deployment', release())).toBeUndefined();
    await driver.remove(api('1.0.0'), ctx);
    expect(await health()).toEqual({ health: 'failed', message: `Helm release ${release()} is not installed` });
  });

  it('an uninstall command: helm uninstall --wait of each component\'s release, the last stage first', async () => {
    const components = [api('1.0.0'), { ...api('1.0.0'), name: 'web', stage: 2 }];
    for (const c of components) await apply(c);
    for (const c of uninstallOrder(components)) await driver.remove(c, ctx);
    const uninstalls = (await cluster.calls()).filter((c) => c.tool === 'helm' && c.argv[0] === 'uninstall').map((c) => c.argv);
    expect(uninstalls).toEqual([
      ['uninstall', releaseName(installationId, 'web'), '--namespace', NS, '--wait', '--timeout', '60s'],
      ['uninstall', release(), '--namespace', NS, '--wait', '--timeout', '60s'],
    ]);
    for (const c of components) expect(await cluster.revisions(NS, releaseName(installationId, c.name))).toBeUndefined();
  });

  it('a release changed by hand is drift with both revisions; applying the same spec again resolves it', async () => {
    await apply(api('1.0.0'));
    await cluster.helm(['upgrade', '--install', release(), 'api', '--repo', REPO, '--version', '1.0.5', '--namespace', NS]);
    const drifted = await health();
    expect(drifted?.health).toBe('degraded');
    expect(drifted?.drift).toEqual({ appliedRevision: 1, actualRevision: 2 });
    expect(drifted?.message).toContain(`Helm release ${release()} is at revision 2 ("Upgrade complete"), but the agent applied revision 1`);
    // Health sampling never acts on drift: no upgrade loop.
    await health();
    expect(await cluster.helmCalls('upgrade')).toHaveLength(2);

    await apply(api('1.0.0')); // what a redeploy does
    expect(await statuses()).toEqual(['1:superseded', '2:superseded', '3:deployed']);
    expect(await image()).toBe('registry.example.com/api:1.0.0');
    expect(await health()).toEqual({ health: 'healthy' });
  });

  it('an atomic rollback by hand (revision skew) is drift too', async () => {
    await apply(api('1.0.0'));
    await apply(api('2.0.0'));
    await cluster.helm(['rollback', release(), '--namespace', NS]);
    const h = await health(api('2.0.0'));
    expect(h?.drift).toEqual({ appliedRevision: 2, actualRevision: 3 });
    expect(h?.message).toContain('("Rollback to 1")');
  });

  describe('credentials', () => {
    const creds = { username: 'robot', password: PASSWORD };

    beforeEach(async () => {
      await cluster.requireAuth(creds);
    });

    it('repository chart: repo add with the password on stdin, then the chart from the private repository config', async () => {
      await apply(api('1.0.0', { credentials: creds }));
      const [add] = await cluster.helmCalls('repo');
      expect(add?.argv).toEqual(['repo', 'add', 'flotilla', REPO, '--username', 'robot', '--password-stdin', '--repository-config', expect.any(String) as string, '--repository-cache', expect.any(String) as string]);
      expect(add?.stdin).toBe(PASSWORD);
      const [upgrade] = await cluster.helmCalls('upgrade');
      expect(upgrade?.argv.slice(0, 4)).toEqual(['upgrade', '--install', release(), 'flotilla/api']);
      expect(upgrade?.argv).toContain('--repository-config');
      expect(await health()).toEqual({ health: 'healthy' });
    });

    it('OCI chart: registry login with the password on stdin, then oci:// with the private registry config', async () => {
      await apply(api('1.0.0', { repo: undefined, oci: 'oci://registry.example.com/charts/api', credentials: creds }));
      const [login] = await cluster.helmCalls('registry');
      expect(login?.argv).toEqual(['registry', 'login', 'registry.example.com', '--username', 'robot', '--password-stdin', '--registry-config', expect.any(String) as string]);
      expect(login?.stdin).toBe(PASSWORD);
      const [upgrade] = await cluster.helmCalls('upgrade');
      expect(upgrade?.argv.slice(0, 4)).toEqual(['upgrade', '--install', release(), 'oci://registry.example.com/charts/api']);
      expect(upgrade?.argv).toContain('--registry-config');
      expect(upgrade?.argv).not.toContain('--repo');
      expect((await cluster.revisions(NS, release()))?.[0]?.chart.source).toBe('oci://registry.example.com/charts/api');
    });

    it('wrong or missing credentials fail with helm\'s error', async () => {
      const err = await rejection(apply(api('1.0.0', { credentials: { username: 'robot', password: 'wrong' } })));
      expect(err.message).toMatch(/401 Unauthorized/);
      await expect(apply(api('1.0.0', { repo: undefined, oci: 'oci://registry.example.com/charts/api' }))).rejects.toThrow(/401 Unauthorized/);
    });

    it('the password is never in any argument, in the CLIs\' environment, in the agent\'s log or left on disk', async () => {
      await apply(api('1.0.0', { credentials: creds }));
      await apply(api('1.0.1', { repo: undefined, oci: 'oci://registry.example.com/charts/api', credentials: creds }));
      await health();
      const calls = await cluster.calls();
      expect(calls.length).toBeGreaterThan(5);
      for (const call of calls) {
        expect(call.argv.join(' ')).not.toContain(PASSWORD);
        expect(call.envKeys).not.toContain('FLOTILLA_AGENT_SECRET');
      }
      expect(calls.filter((c) => c.stdin === PASSWORD)).toHaveLength(2);
      expect(logText).toContain('cli call');
      expect(logText).not.toContain(PASSWORD);
      expect(await readdir(path.join(stateDir, 'tmp'))).toEqual([]);
    });
  });

  describe('health from workload readiness', () => {
    it('rolling out → progressing; past the deadline → failed; a failed Job beside a ready Deployment → degraded', async () => {
      await apply(api('1.0.0'));
      await cluster.setUnready(release());
      expect(await health()).toEqual({ health: 'progressing', message: `0/1 workloads ready; deployment/${release()}: rolling out: 1/1 updated, 0/1 available` });
      await cluster.setUnready(release(), 'deadline');
      expect((await health())?.health).toBe('failed');
      await cluster.setUnready(release(), 'lost');
      expect(await health()).toEqual({ health: 'failed', message: `0/1 workloads ready; deployment/${release()}: 0/1 available` });
      await cluster.setReady(release());
      await apply(api('1.1.0', { values: 'job: true\n' }));
      expect(await health()).toEqual({ health: 'healthy' });
      await cluster.setUnready(`${release()}-migrate`, 'failed');
      const h = await health();
      expect(h?.health).toBe('degraded');
      expect(h?.message).toContain(`job/${release()}-migrate: failed: BackoffLimitExceeded`);
    });

    it('an upgrade whose workloads never become ready fails with --wait', async () => {
      await apply(api('1.0.0'));
      await cluster.setUnready(release());
      await expect(apply(api('1.1.0'))).rejects.toThrow('Error: UPGRADE FAILED: context deadline exceeded');
    });
  });

  describe('command hooks', () => {
    it('restart: kubectl rollout restart of the release\'s Deployments', async () => {
      await apply(api('1.0.0', { values: 'job: true\n' }));
      await driver.restart(api('1.0.0'), ctx);
      const restart = (await cluster.calls()).find((c) => c.tool === 'kubectl' && c.argv[0] === 'rollout');
      expect(restart?.argv).toEqual(['rollout', 'restart', `deployment/${release()}`, '--namespace', NS]);
      expect((await cluster.object(NS, 'Deployment', release()))?.spec.template?.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt']).toBeDefined();
      await expect(driver.restart({ ...api('1.0.0'), name: 'nothing' }, ctx)).rejects.toThrow(/not installed/);
    });

    it('logs: the last lines of every workload, prefixed with pod and container', async () => {
      await apply(api('1.0.0', { values: 'job: true\n' }));
      const lines = await driver.logs(api('1.0.0'), 3, ctx);
      expect(lines).toHaveLength(3);
      expect(lines.every((l) => l.startsWith(`[pod/${release()}-migrate-`))).toBe(true);
      const all = await driver.logs(api('1.0.0'), 100, ctx);
      expect(all.some((l) => l.includes('starting registry.example.com/api:1.0.0'))).toBe(true);
    });

    it('self-update: points the agent\'s own Deployment at the new image', async () => {
      await cluster.putObject('flotilla', {
        kind: 'Deployment',
        metadata: { name: 'flotilla-agent', generation: 1 },
        spec: { template: { spec: { containers: [{ name: 'agent', image: 'flotilla/agent-helm:0.1.0' }] } } },
      });
      const updating = makeDriver({ agentDeployment: { name: 'flotilla-agent', namespace: 'flotilla' } });
      await updating.selfUpdate('flotilla/agent-helm:0.2.0', ctx);
      expect((await cluster.object('flotilla', 'Deployment', 'flotilla-agent'))?.spec.template?.spec?.containers?.[0]?.image).toBe('flotilla/agent-helm:0.2.0');
      await expect(driver.selfUpdate('x:1', ctx)).rejects.toThrow(/needs FLOTILLA_AGENT_DEPLOYMENT/);
    });
  });

  it('persists the applied revision atomically in the state dir', async () => {
    await apply(api('1.0.0'));
    expect(existsSync(path.join(stateDir, 'helm-releases.json'))).toBe(true);
    // A restarted agent (new driver, same state dir) still knows it: a manual change is drift.
    driver = makeDriver();
    await cluster.helm(['rollback', release(), '1', '--namespace', NS]);
    expect((await health())?.drift).toEqual({ appliedRevision: 1, actualRevision: 2 });
  });
});

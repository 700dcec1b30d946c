import { describe, expect, it } from 'vitest';
import { HelmHistory, HelmRelease, isReleaseNotFound, ociReference, ociRegistry, shortVersion, uninstallArgs, upgradePlan, type ClientFiles } from './helm-cli.js';

const files: ClientFiles = { valuesFile: '/t/values.yaml', repositoryConfig: '/t/repositories.yaml', repositoryCache: '/t/cache', registryConfig: '/t/registry.json' };
const creds = { username: 'robot', password: 's3cret-pass' };
const tail = ['--version', '1.2.3', '--namespace', 'shop', '-f', '/t/values.yaml', '--wait', '--timeout', '120s'];

describe('upgradePlan', () => {
  it('repository chart without credentials: --repo, no login', () => {
    expect(upgradePlan('flt-a-api', 'shop', { chart: 'api', repo: 'https://charts.example.com', chartVersion: '1.2.3' }, files, 120)).toEqual({
      login: undefined,
      upgrade: ['upgrade', '--install', 'flt-a-api', 'api', '--repo', 'https://charts.example.com', ...tail],
    });
  });

  it('repository chart with credentials: repo add into a private config, password on stdin', () => {
    const plan = upgradePlan('flt-a-api', 'shop', { chart: 'api', repo: 'https://charts.example.com', chartVersion: '1.2.3', credentials: creds }, files, 120);
    const repoFlags = ['--repository-config', '/t/repositories.yaml', '--repository-cache', '/t/cache'];
    expect(plan.login).toEqual({ args: ['repo', 'add', 'flotilla', 'https://charts.example.com', '--username', 'robot', '--password-stdin', ...repoFlags], stdin: 's3cret-pass' });
    expect(plan.upgrade).toEqual(['upgrade', '--install', 'flt-a-api', 'flotilla/api', ...tail, ...repoFlags]);
  });

  it('OCI chart: the oci:// reference, registry login into a private config only with credentials', () => {
    const spec = { chart: 'api', oci: 'oci://registry.example.com:5000/charts/api', chartVersion: '1.2.3' };
    expect(upgradePlan('r', 'shop', spec, files, 120)).toEqual({
      login: undefined,
      upgrade: ['upgrade', '--install', 'r', 'oci://registry.example.com:5000/charts/api', ...tail, '--registry-config', '/t/registry.json'],
    });
    const withCreds = upgradePlan('r', 'shop', { ...spec, credentials: creds }, files, 120);
    expect(withCreds.login).toEqual({
      args: ['registry', 'login', 'registry.example.com:5000', '--username', 'robot', '--password-stdin', '--registry-config', '/t/registry.json'],
      stdin: 's3cret-pass',
    });
  });

  it('never puts the password in an argument', () => {
    for (const spec of [
      { chart: 'api', repo: 'https://c', chartVersion: '1.0.0', credentials: creds },
      { chart: 'api', oci: 'oci://r/api', chartVersion: '1.0.0', credentials: creds },
    ]) {
      const plan = upgradePlan('r', 'ns', spec, files, 60);
      expect([...(plan.login?.args ?? []), ...plan.upgrade].join(' ')).not.toContain(creds.password);
    }
  });
});

describe('uninstallArgs', () => {
  it('uninstalls one release in its namespace and waits for its resources to go', () => {
    expect(uninstallArgs('flt-a-api', 'shop', 120)).toEqual(['uninstall', 'flt-a-api', '--namespace', 'shop', '--wait', '--timeout', '120s']);
  });
});

describe('OCI references', () => {
  it('keeps a reference naming the chart, appends the chart to a repository prefix', () => {
    expect(ociReference({ chart: 'api', oci: 'oci://reg.io/charts/api' })).toBe('oci://reg.io/charts/api');
    expect(ociReference({ chart: 'api', oci: 'oci://reg.io/charts/' })).toBe('oci://reg.io/charts/api');
    expect(ociRegistry('oci://reg.io:5000/charts/api')).toBe('reg.io:5000');
  });
});

describe('helm output', () => {
  it('parses status and history JSON as helm prints them', () => {
    const status = HelmRelease.parse({ name: 'r', info: { first_deployed: 'x', status: 'deployed', description: 'Upgrade complete', notes: '' }, config: {}, version: 3, namespace: 'ns' });
    expect(status.version).toBe(3);
    const history = HelmHistory.parse([{ revision: 1, updated: 'x', status: 'superseded', chart: 'api-1.0.0', app_version: '1.0', description: 'Install complete' }]);
    expect(history[0]?.chart).toBe('api-1.0.0');
  });

  it('recognises helm\'s "not found" and short versions', () => {
    expect(isReleaseNotFound('Error: release: not found')).toBe(true);
    expect(isReleaseNotFound('Error: uninstall: Release not loaded: r: release: not found')).toBe(true);
    expect(isReleaseNotFound('Error: Kubernetes cluster unreachable')).toBe(false);
    expect(shortVersion('v3.16.4+g7877b45\n')).toBe('v3.16.4');
  });
});

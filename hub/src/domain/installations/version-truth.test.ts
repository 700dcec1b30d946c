import { describe, expect, it } from 'vitest';
import { versionTruth, withDesiredVersions, type VersionFacts } from './version-truth.js';

const release: VersionFacts = {
  desiredVersion: '1.1.0',
  desiredRevision: 3,
  appliedRevision: 3,
  desired: { api: '2.0.0', web: '3.1.0' },
  reported: [
    { name: 'api', version: '2.0.0' },
    { name: 'web', version: '3.1.0' },
  ],
};

describe('versionTruth', () => {
  it('a converged multi-component release runs the release version, without drift', () => {
    expect(versionTruth(release)).toEqual({ versionDrift: [], runningVersion: '1.1.0', converged: true });
  });

  it('a component at another version is the drift; the running version is what the components report', () => {
    const t = versionTruth({ ...release, reported: [{ name: 'api', version: '2.0.0' }, { name: 'web', version: '3.0.0' }] });
    expect(t).toEqual({ versionDrift: [{ component: 'web', desired: '3.1.0', running: '3.0.0' }], runningVersion: 'api@2.0.0, web@3.0.0', converged: false });
  });

  it('a desired component the agent does not report drifts with running null', () => {
    const t = versionTruth({ ...release, reported: [{ name: 'api', version: '2.0.0' }] });
    expect(t.versionDrift).toEqual([{ component: 'web', desired: '3.1.0', running: null }]);
    expect(t.runningVersion).toBe('2.0.0');
  });

  it('a component reported without a version drifts', () => {
    expect(versionTruth({ ...release, reported: [{ name: 'api', version: '2.0.0' }, { name: 'web', version: null }] }).versionDrift).toEqual([{ component: 'web', desired: '3.1.0', running: null }]);
  });

  it('a reported component that is not desired drifts with desired null', () => {
    const t = versionTruth({ ...release, reported: [...release.reported, { name: 'old', version: '0.9.0' }] });
    expect(t.versionDrift).toEqual([{ component: 'old', desired: null, running: '0.9.0' }]);
    expect(t.converged).toBe(false);
  });

  it('until the agent applied the desired revision, it is not running the desired label even when versions match', () => {
    const t = versionTruth({ ...release, appliedRevision: 2 });
    expect(t).toEqual({ versionDrift: [], runningVersion: 'api@2.0.0, web@3.1.0', converged: false });
  });

  it('an agent ahead of the hub (applied beyond desired) with matching versions is converged', () => {
    expect(versionTruth({ ...release, appliedRevision: 4 }).converged).toBe(true);
  });

  it('a single application version: the label is the version', () => {
    expect(versionTruth({ desiredVersion: '2.0.0', desiredRevision: 1, appliedRevision: 1, desired: { web: '2.0.0' }, reported: [{ name: 'web', version: '2.0.0' }] }).runningVersion).toBe('2.0.0');
  });

  it('a rollout stage runs its stage label once applied', () => {
    const stage = { ...release, desiredVersion: '1.1.0 (stage 1/2)', desired: { api: '2.0.0', web: '3.0.0' }, reported: [{ name: 'api', version: '2.0.0' }, { name: 'web', version: '3.0.0' }] };
    expect(versionTruth(stage).runningVersion).toBe('1.1.0 (stage 1/2)');
  });

  it('never deployed: no drift, whatever the agent reports, and no desired label', () => {
    expect(versionTruth({ desiredVersion: null, desiredRevision: 0, appliedRevision: 0, desired: {}, reported: [] })).toEqual({ versionDrift: [], runningVersion: null, converged: false });
    expect(versionTruth({ desiredVersion: null, desiredRevision: 0, appliedRevision: 0, desired: {}, reported: [{ name: 'x', version: '1' }] })).toEqual({ versionDrift: [], runningVersion: '1', converged: false });
  });

  it('deployed, agent never reported: every desired component is missing', () => {
    const t = versionTruth({ ...release, appliedRevision: 0, reported: [] });
    expect(t.versionDrift.map((d) => [d.component, d.running])).toEqual([['api', null], ['web', null]]);
    expect(t.runningVersion).toBeNull();
  });
});

describe('withDesiredVersions', () => {
  it('gives each reported component its desired version, null when not desired', () => {
    const out = withDesiredVersions([{ name: 'api', version: '2.0.0', health: 'healthy' }, { name: 'old', version: '1', health: 'healthy' }], { api: '2.1.0' });
    expect(out.map((c) => c.desiredVersion)).toEqual(['2.1.0', null]);
  });
});

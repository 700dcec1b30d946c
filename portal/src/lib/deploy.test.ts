import { describe, expect, it } from 'vitest';
import type { Application, ApplicationVersion, Release } from '@flotilla/protocol';
import { choiceLabel, deployBody, releaseChoices, steppedDeploy, stepsText, versionChoices } from './deploy';
import { T0, T1, T2 } from '../testing/fixtures';

const app = (id: string, name: string, kind: 'compose' | 'helm'): Application => ({ id, vendorId: 'v', name, kind, description: null, createdAt: T0, updatedAt: T0 });
const version = (id: string, applicationId: string, createdAt: string, archivedAt: string | null = null): ApplicationVersion => ({
  id,
  applicationId,
  version: id,
  compose: null,
  helm: null,
  notes: null,
  createdAt,
  archivedAt,
  inUse: false,
});
const release = (id: string, status: Release['status'], name: string | null = null) => ({ id, version: id, name, status }) as Release;

describe('versionChoices', () => {
  it('offers the applications of the agent kind with their versions, newest first, archived left out', () => {
    const apps = [app('a', 'web', 'compose'), app('b', 'chart', 'helm')];
    const versions = { a: [version('1.0', 'a', T0), version('1.2', 'a', T2), version('1.1', 'a', T1, T2)], b: [version('9', 'b', T0)] };
    const choices = versionChoices(apps, versions, 'compose');
    expect(choices.map((c) => c.applicationName)).toEqual(['web']);
    expect(choices[0]?.versions.map((v) => v.id)).toEqual(['1.2', '1.0']);
    expect(versionChoices(apps, {}, 'helm')).toEqual([{ applicationId: 'b', applicationName: 'chart', versions: [] }]);
  });
});

describe('releaseChoices', () => {
  it('keeps ready releases only', () => {
    const list = [release('3', 'draft'), release('2', 'ready'), release('1.5', 'hold'), release('1', 'rescinded'), release('0.9', 'ready')];
    expect(releaseChoices(list).map((r) => r.id)).toEqual(['2', '0.9']);
  });
});

describe('deployBody and choiceLabel', () => {
  it('builds the hub body and names the choice', () => {
    expect(deployBody({ kind: 'version', versionId: 'v1' })).toEqual({ versionId: 'v1' });
    expect(deployBody({ kind: 'release', releaseId: 'r1' })).toEqual({ releaseId: 'r1' });
    const versions = versionChoices([app('a', 'web', 'compose')], { a: [version('1.2', 'a', T0)] }, 'compose');
    expect(choiceLabel({ kind: 'version', versionId: '1.2' }, versions, [])).toBe('web 1.2');
    expect(choiceLabel({ kind: 'release', releaseId: '2' }, [], [release('2', 'ready', 'Spring')])).toBe('release 2 — Spring');
  });
});

describe('steppedDeploy / stepsText', () => {
  const steps = [
    { releaseId: 'r2', version: '2.0.0', stageCount: 1 },
    { releaseId: 'r3', version: '3.0.0', stageCount: 2 },
  ];
  it('tells a stepped deploy from a plain one', () => {
    expect(steppedDeploy({ revision: 3 })).toBeNull();
    expect(steppedDeploy({ revision: 3, rolloutId: 'ro', steps })).toEqual({ rolloutId: 'ro', steps });
  });
  it('lists the required releases, then the target', () => {
    expect(stepsText(steps)).toBe('required 2.0.0 (1 stage), then 3.0.0 (2 stages)');
  });
});

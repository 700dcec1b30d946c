import { describe, expect, it } from 'vitest';
import type { DesiredComponent } from '@flotilla/protocol';
import { AppError } from '../../errors.js';
import { agentCopy } from './agent-copy.js';
import { componentName, composeRelease, composeVersion, desiredForRelease, desiredForStage, withConfig, type ReleaseInput } from './compose.js';

const v = (id: string, version: string, file = `services: {${id}: {image: nginx}}`) => ({ id, version, compose: { file }, helm: null });
const chart = (id: string, version: string, values?: string) => ({ id, version, compose: null, helm: { chart: id, chartVersion: version, ...(values === undefined ? {} : { values }) } });

const release: ReleaseInput = {
  version: '2.0.0',
  stages: [
    [{ application: { name: 'DB Migrator', kind: 'compose' }, pinned: v('m2', '2.0.0') }],
    [
      { application: { name: 'api', kind: 'compose' }, pinned: v('a2', '2.1.0') },
      { application: { name: 'api', kind: 'helm' }, pinned: chart('ah2', '2.1.0', 'replicas: 1\nimage: {tag: "2.1.0"}\n') },
    ],
  ],
};

describe('composeRelease', () => {
  it('gives every component in release order with its stage and version id', () => {
    const r = composeRelease(release);
    expect(r.stageCount).toBe(2);
    expect(r.components.map((c) => `${c.kind}/${c.name}@${c.version}:${c.stage}`)).toEqual(['compose/db-migrator@2.0.0:1', 'compose/api@2.1.0:2', 'helm/api@2.1.0:2']);
    expect(r.versionIds.get('helm/api')).toBe('ah2');
    expect(r.versionIds.get('compose/db-migrator')).toBe('m2');
  });

  it('refuses an unpinned component with a 409 that names it, instead of dropping it', () => {
    const unpinned: ReleaseInput = { version: '3.0.0', stages: [[{ application: { name: 'worker', kind: 'compose' }, pinned: null }]] };
    let err: unknown;
    try {
      composeRelease(unpinned);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('CONFLICT');
    expect((err as AppError).message).toMatch(/Release 3\.0\.0 has no version pinned for "worker"/);
  });
});

describe('desiredForRelease', () => {
  it('keeps the agent kind\'s flavour and refuses a release with nothing for it', () => {
    const r = composeRelease(release);
    expect(desiredForRelease(r, '2.0.0', 'helm', {}).map((c) => c.name)).toEqual(['api']);
    const composeOnly = composeRelease({ version: '1.0.0', stages: [[{ application: { name: 'web', kind: 'compose' }, pinned: v('w', '1.0.0') }]] });
    expect(() => desiredForRelease(composeOnly, '1.0.0', 'helm', {})).toThrow(/no component for a helm agent/);
  });
});

describe('composeVersion', () => {
  it('is a one-component stage-1 state, and refuses the other kind', () => {
    expect(composeVersion({ name: 'Web App', kind: 'compose' }, v('w', '1.2.3'), 'compose', 'main')).toMatchObject({ name: 'web-app', kind: 'compose', version: '1.2.3', stage: 1 });
    expect(() => composeVersion({ name: 'web', kind: 'compose' }, v('w', '1.2.3'), 'helm', 'main')).toThrow(/runs a helm agent/);
  });
});

describe('withConfig', () => {
  const web: DesiredComponent = { name: 'web', kind: 'compose', version: '1', stage: 1, spec: { file: 'x', env: 'A=1' } };

  it('puts env values and sealed secrets in environment, with the secret names listed', () => {
    const [out] = withConfig([web], { web: { env: { LOG: 'debug' }, secrets: { TOKEN: 'enc:v1:sealed', API_KEY: 'enc:v1:k' }, helmValues: null } });
    expect(out?.kind === 'compose' && out.spec).toEqual({ file: 'x', env: 'A=1', environment: { LOG: 'debug', TOKEN: 'enc:v1:sealed', API_KEY: 'enc:v1:k' }, secretKeys: ['API_KEY', 'TOKEN'] });
  });

  it('drops environment a stored base carried once the configuration no longer has it', () => {
    const stale: DesiredComponent = { ...web, spec: { file: 'x', environment: { OLD: '1', S: 'enc' }, secretKeys: ['S'] } };
    expect(withConfig([stale], {})[0]).toEqual({ ...web, spec: { file: 'x' } });
    expect(withConfig([stale], { web: { env: { NEW: '2' }, secrets: {}, helmValues: null } })[0]).toEqual({ ...web, spec: { file: 'x', environment: { NEW: '2' } } });
  });

  it('deep-merges a helm override over the version defaults and leaves other components alone', () => {
    const r = composeRelease(release);
    const out = withConfig(r.components, { api: { env: {}, secrets: {}, helmValues: 'image: {pullPolicy: Always}\n' } });
    const helm = out.find((c) => c.kind === 'helm');
    expect(helm?.kind === 'helm' && helm.spec.values).toBe('replicas: 1\nimage:\n  tag: 2.1.0\n  pullPolicy: Always\n');
    expect(out.find((c) => c.name === 'db-migrator')).toEqual(r.components[0]);
  });

  it('merges each helm component\'s override by name, leaving the others alone', () => {
    const helm = (name: string, values?: string): DesiredComponent => ({ name, kind: 'helm', version: '1.0.0', stage: 1, spec: { chart: name, repo: 'https://c', chartVersion: '1.0.0', ...(values ? { values } : {}) } });
    const compose: DesiredComponent = { name: 'web', kind: 'compose', version: '1', stage: 1, spec: { file: 'services: {}' } };
    const override = (helmValues: string) => ({ env: {}, secrets: {}, helmValues });
    const [api, worker, other] = withConfig([helm('api', 'replicas: 1\n'), helm('worker', 'replicas: 1\n'), compose], { api: override('replicas: 4\n'), web: override('ignored: true\n') });
    expect(api?.kind === 'helm' && api.spec.values).toBe('replicas: 4\n');
    expect(worker).toEqual(helm('worker', 'replicas: 1\n'));
    expect(other).toEqual(compose);
  });

  it('refuses an override that is not a mapping at deploy time with a conflict', () => {
    const r = composeRelease(release);
    expect(() => withConfig(r.components, { api: { env: {}, secrets: {}, helmValues: '- a list' } })).toThrow(/values override cannot be used/);
  });
});

describe('desiredForStage', () => {
  const r = composeRelease(release);
  const base: DesiredComponent[] = [
    { name: 'db-migrator', kind: 'compose', version: '1.0.0', stage: 1, spec: { file: 'old-m' } },
    { name: 'api', kind: 'compose', version: '1.0.0', stage: 1, spec: { file: 'old-a', environment: { X: 'stale' } } },
  ];
  const config = { api: { env: { X: 'now' }, secrets: { PW: 'sealed' }, helmValues: null } };

  it('sends stage 1 over the base, configured (base components too)', () => {
    const out = desiredForStage({ release: r, kind: 'compose', base, stage: 1, rollback: false, config });
    expect(out.map((c) => `${c.name}@${c.version}`)).toEqual(['db-migrator@2.0.0', 'api@1.0.0']);
    expect(out[1]?.kind === 'compose' && out[1].spec.environment).toEqual({ X: 'now', PW: 'sealed' });
  });

  it('rolls stage 1 back to exactly the base, configured', () => {
    const out = desiredForStage({ release: r, kind: 'compose', base, stage: 1, rollback: true, config: {} });
    expect(out.map((c) => `${c.name}@${c.version}`)).toEqual(['db-migrator@1.0.0', 'api@1.0.0']);
    expect(out[1]?.kind === 'compose' && out[1].spec.environment).toBeUndefined();
  });
});

describe('agentCopy', () => {
  it('opens only the secrets, and only for the agent', () => {
    const [c] = withConfig([{ name: 'web', kind: 'compose', version: '1', stage: 1, spec: { file: 'x' } }], { web: { env: { A: 'plain' }, secrets: { S: 'sealed:s' }, helmValues: null } });
    const state = { installationId: 'i', revision: 3, components: c ? [c] : [] };
    const copy = agentCopy(state, (sealed) => sealed.replace('sealed:', 'open:'));
    expect(copy.components[0]?.kind === 'compose' && copy.components[0].spec.environment).toEqual({ A: 'plain', S: 'open:s' });
    // The stored state is untouched.
    expect(state.components[0]?.kind === 'compose' && state.components[0].spec.environment).toEqual({ A: 'plain', S: 'sealed:s' });
  });

  it('returns a state without secrets as it is', () => {
    const state = { installationId: 'i', revision: 1, components: [] };
    expect(agentCopy(state, () => 'x')).toBe(state);
  });
});

it('componentName slugs application names', () => {
  expect(componentName('  My API!! ')).toBe('my-api');
  expect(componentName('***')).toBe('app');
});

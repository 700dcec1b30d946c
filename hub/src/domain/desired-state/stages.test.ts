import { describe, expect, it } from 'vitest';
import type { DesiredComponent } from '@flotilla/protocol';
import { componentsBelow, componentsUpTo } from './stages.js';
import { forAgentKind } from './compose.js';

const c = (name: string, version: string, stage: number): DesiredComponent => ({ name, kind: 'compose', version, stage, spec: { file: `services: {${name}: ${version}}` } });
const base = [c('db', '1', 1), c('api', '1', 1), c('legacy', '1', 1)];
const release = [c('db', '2', 1), c('api', '2', 2), c('web', '2', 3)];
const names = (cs: DesiredComponent[]) => cs.map((x) => `${x.name}@${x.version}`).sort();

describe('stage components', () => {
  it('moves stage by stage, ending exactly at the release', () => {
    expect(names(componentsUpTo(release, base, 1, 3))).toEqual(['api@1', 'db@2', 'legacy@1']);
    expect(names(componentsUpTo(release, base, 2, 3))).toEqual(['api@2', 'db@2', 'legacy@1']);
    expect(names(componentsUpTo(release, base, 3, 3))).toEqual(['api@2', 'db@2', 'web@2']);
  });

  it('rolls back in reverse order to the base', () => {
    expect(names(componentsBelow(release, base, 2))).toEqual(['api@1', 'db@2', 'legacy@1']);
    expect(names(componentsBelow(release, base, 1))).toEqual(['api@1', 'db@1', 'legacy@1']);
  });

  it('a first install has no base', () => {
    expect(names(componentsUpTo(release, [], 1, 3))).toEqual(['db@2']);
    expect(componentsBelow(release, [], 1)).toEqual([]);
  });

  it('each agent kind gets its own flavour of a mixed release, stages kept', () => {
    const chart = (name: string, stage: number): DesiredComponent => ({ name, kind: 'helm', version: '2', stage, spec: { chart: name, repo: 'https://c', chartVersion: '2.0.0' } });
    const mixed = [c('db', '2', 1), chart('db-chart', 1), c('api', '2', 2), chart('api-chart', 2)];
    expect(forAgentKind(mixed, 'compose').map((x) => `${x.name}:${x.stage}`)).toEqual(['db:1', 'api:2']);
    expect(forAgentKind(mixed, 'helm').map((x) => `${x.name}:${x.stage}`)).toEqual(['db-chart:1', 'api-chart:2']);
    expect(names(componentsUpTo(forAgentKind(mixed, 'helm'), [], 1, 2))).toEqual(['db-chart@2']);
  });
});

import { describe, expect, it } from 'vitest';
import type { DesiredComponent, DesiredState } from '@flotilla/protocol';
import { canonicalJson, fingerprint, groupByStage, planConvergence, sameComponents, uninstallOrder } from './convergence.js';
import { emptyState, type LocalState } from './state-store.js';

const comp = (name: string, version: string, stage = 1, file = `image: ${name}:${version}`): DesiredComponent => ({
  name,
  kind: 'compose',
  version,
  stage,
  spec: { file },
});

const desired = (revision: number, components: DesiredComponent[], installationId = 'inst-1'): DesiredState => ({
  installationId,
  revision,
  components,
});

const applied = (revision: number, components: DesiredComponent[], installationId = 'inst-1'): LocalState => ({
  ...emptyState(),
  installationId,
  appliedRevision: revision,
  components,
});

describe('planConvergence', () => {
  it('is a no-op for the same revision with identical specs, whatever the order of components or keys', () => {
    const state = applied(4, [comp('api', '1'), comp('web', '1', 2)]);
    const reordered = desired(4, [
      { stage: 2, spec: { file: 'image: web:1' }, version: '1', kind: 'compose', name: 'web' },
      comp('api', '1'),
    ]);
    expect(planConvergence(state, reordered, new Set())).toEqual({ kind: 'noop', reason: 'up-to-date' });
  });

  it('applies a new revision, all components, stage by stage', () => {
    const state = applied(1, [comp('api', '1')]);
    const plan = planConvergence(state, desired(2, [comp('web', '2', 3), comp('api', '2', 1), comp('migrate', '2', 1)]), new Set());
    expect(plan.kind).toBe('apply');
    if (plan.kind !== 'apply') return;
    expect(plan.remove).toEqual([]);
    expect(plan.stages.map((s) => s.map((c) => c.name))).toEqual([['api', 'migrate'], ['web']]);
  });

  it('applies when the revision is the same but a spec differs', () => {
    const state = applied(2, [comp('api', '1')]);
    expect(planConvergence(state, desired(2, [comp('api', '1', 1, 'changed')]), new Set()).kind).toBe('apply');
  });

  it('removes components that are no longer desired', () => {
    const state = applied(2, [comp('api', '1'), comp('old', '1'), comp('legacy', '1')]);
    const plan = planConvergence(state, desired(3, [comp('api', '1')]), new Set());
    expect(plan).toMatchObject({ kind: 'apply', remove: [{ name: 'legacy' }, { name: 'old' }] });
  });

  it('removes everything of another installation', () => {
    const state = applied(2, [comp('api', '1')], 'inst-old');
    const plan = planConvergence(state, desired(2, [comp('api', '1')], 'inst-new'), new Set());
    expect(plan).toMatchObject({ kind: 'apply', remove: [{ name: 'api' }], stages: [[{ name: 'api' }]] });
  });

  it('does not retry a desired state that already failed in this process', () => {
    const state = applied(1, [comp('api', '1')]);
    const next = desired(2, [comp('api', '2')]);
    expect(planConvergence(state, next, new Set([fingerprint(next)]))).toEqual({ kind: 'noop', reason: 'failed-before' });
    // A newer revision is applied even though the previous one failed.
    expect(planConvergence(state, desired(3, [comp('api', '2')]), new Set([fingerprint(next)])).kind).toBe('apply');
  });

  it('brings nothing back of an uninstalled revision, and applies a newer one', () => {
    const state: LocalState = { ...applied(4, []), uninstalledRevision: 5 };
    const wanted = [comp('api', '2')];
    expect(planConvergence(state, desired(4, wanted), new Set())).toEqual({ kind: 'noop', reason: 'uninstalled' });
    expect(planConvergence(state, desired(5, wanted), new Set())).toEqual({ kind: 'noop', reason: 'uninstalled' });
    expect(planConvergence(state, desired(6, wanted), new Set())).toMatchObject({ kind: 'apply', stages: [wanted] });
    // Another installation's desired state is not this uninstall's business.
    expect(planConvergence(state, desired(2, wanted, 'inst-2'), new Set())).toMatchObject({ kind: 'apply' });
  });

  it('starts from an empty state: revision 0 with nothing is a no-op, anything else applies', () => {
    expect(planConvergence(emptyState(), desired(0, []), new Set()).kind).toBe('noop');
    expect(planConvergence(emptyState(), desired(1, [comp('api', '1')]), new Set()).kind).toBe('apply');
  });
});

describe('helpers', () => {
  it('canonicalJson sorts keys at every level', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[{"y":2,"z":1}]},"b":1}');
  });

  it('fingerprint depends on revision, installation and specs only', () => {
    const a = desired(1, [comp('api', '1'), comp('web', '1')]);
    expect(fingerprint(a)).toBe(fingerprint(desired(1, [comp('web', '1'), comp('api', '1')])));
    expect(fingerprint(a)).not.toBe(fingerprint(desired(2, a.components)));
    expect(fingerprint(a)).not.toBe(fingerprint(desired(1, a.components, 'other')));
    expect(fingerprint(a)).not.toBe(fingerprint(desired(1, [comp('api', '1'), comp('web', '1', 1, 'x')])));
  });

  it('sameComponents compares specs', () => {
    expect(sameComponents([comp('a', '1')], [comp('a', '1')])).toBe(true);
    expect(sameComponents([comp('a', '1')], [comp('a', '2')])).toBe(false);
    expect(sameComponents([comp('a', '1')], [])).toBe(false);
  });

  it('uninstallOrder removes the last stage first, names descending inside a stage', () => {
    const order = uninstallOrder([comp('migrate', '1', 1), comp('web', '1', 3), comp('api', '1', 2), comp('worker', '1', 2)]);
    expect(order.map((c) => c.name)).toEqual(['web', 'worker', 'api', 'migrate']);
    expect(uninstallOrder([])).toEqual([]);
  });

  it('groupByStage orders stages ascending', () => {
    expect(groupByStage([comp('c', '1', 10), comp('b', '1', 2), comp('a', '1', 2)]).map((s) => s.map((c) => c.name))).toEqual([
      ['a', 'b'],
      ['c'],
    ]);
  });
});

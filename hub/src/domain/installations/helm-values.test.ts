import { describe, expect, it } from 'vitest';
import { aliasBomb } from '../../../test/hostile-inputs.js';
import { parse } from 'yaml';
import { deepMerge, mergeHelmValues, valuesProblems } from './helm-values.js';

describe('deepMerge', () => {
  it('merges mappings recursively; arrays, scalars and null replace', () => {
    const base = { replicas: 1, image: { repository: 'acme/api', tag: '1.0.0' }, hosts: ['a', 'b'], tls: { enabled: true }, extra: { keep: 1 } };
    const override = { replicas: 3, image: { tag: '1.0.1' }, hosts: ['c'], tls: null, added: { x: [1] } };
    expect(deepMerge(base, override)).toEqual({
      replicas: 3,
      image: { repository: 'acme/api', tag: '1.0.1' },
      hosts: ['c'],
      tls: null,
      extra: { keep: 1 },
      added: { x: [1] },
    });
    expect(base.image.tag).toBe('1.0.0'); // inputs untouched
  });

  it('a mapping replaces a scalar and a scalar replaces a mapping', () => {
    expect(deepMerge({ a: 1, b: { c: 1 } }, { a: { x: 1 }, b: 'flat' })).toEqual({ a: { x: 1 }, b: 'flat' });
  });
});

describe('mergeHelmValues', () => {
  it('keeps the defaults verbatim without an override', () => {
    const defaults = '# comment kept\nreplicas: 2\n';
    expect(mergeHelmValues(defaults, undefined)).toBe(defaults);
    expect(mergeHelmValues(defaults, '  \n')).toBe(defaults);
    expect(mergeHelmValues(undefined, undefined)).toBeUndefined();
  });

  it('overlays the override on the defaults (or on nothing)', () => {
    expect(parse(mergeHelmValues('replicas: 2\nimage:\n  tag: "1.0"\n  pullPolicy: IfNotPresent\n', 'image:\n  tag: "1.1"\n') ?? '')).toEqual({
      replicas: 2,
      image: { tag: '1.1', pullPolicy: 'IfNotPresent' },
    });
    expect(parse(mergeHelmValues(undefined, 'a: 1\n') ?? '')).toEqual({ a: 1 });
  });

  it('refuses an override that is not a mapping', () => {
    expect(() => mergeHelmValues('a: 1\n', '- x\n')).toThrow(/values override cannot be used: must be a YAML mapping/);
  });

  it('answers a stored override that no longer loads with a conflict, not a crash', () => {
    expect(() => mergeHelmValues('a: 1\n', aliasBomb(6, 'lol'))).toThrow(expect.objectContaining({ code: 'CONFLICT', message: expect.stringMatching(/values override cannot be used: too many aliases/) }));
  });
});

describe('valuesProblems', () => {
  it('accepts mappings and empty text, names what is wrong otherwise', () => {
    expect(valuesProblems('a: 1\nb:\n  c: [1, 2]\n')).toEqual([]);
    expect(valuesProblems('')).toEqual([]);
    expect(valuesProblems('- a\n- b\n')).toEqual(['must be a YAML mapping']);
    expect(valuesProblems('a: [1\n')[0]).toMatch(/^not valid YAML: /);
    expect(valuesProblems('a: 1\na: 2\n')[0]).toMatch(/^not valid YAML: .*unique/i);
  });

  it('refuses what a deploy could not load: alias bombs, undefined aliases, self-containing aliases', () => {
    expect(valuesProblems(aliasBomb(6, 'lol'))).toEqual([expect.stringMatching(/alias bomb/)]);
    expect(valuesProblems('image:\n  tag: *tag\n')).toEqual(['alias *tag refers to no anchor defined before it (line 2)']);
    expect(valuesProblems('a: &a [*a]\n')[0]).toMatch(/nested deeper/);
  });
});

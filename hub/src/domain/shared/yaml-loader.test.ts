import { describe, expect, it } from 'vitest';
import { aliasBomb } from '../../../test/hostile-inputs.js';
import { loadYaml, YAML_LIMITS } from './yaml-loader.js';

describe('loadYaml', () => {
  it('loads a document with merge keys and a few aliases', () => {
    const { value, errors } = loadYaml('x-d: &d\n  restart: always\nservices:\n  web:\n    <<: *d\n    image: nginx\n  api:\n    <<: *d\n    image: api\n');
    expect(errors).toEqual([]);
    expect(value).toEqual({ 'x-d': { restart: 'always' }, services: { web: { restart: 'always', image: 'nginx' }, api: { restart: 'always', image: 'api' } } });
  });

  it('refuses an alias bomb, wherever it sits', () => {
    for (const text of [aliasBomb(), `${aliasBomb(6, 'values')}`, `replicas: 1\n${aliasBomb(3, 'nested')}`]) {
      const { errors, value } = loadYaml(text);
      expect(errors, text).toEqual([{ message: expect.stringMatching(/alias bomb/) }]);
      expect(value).toBeUndefined();
    }
  });

  it('refuses an alias to no anchor, at its line and column', () => {
    expect(loadYaml('services:\n  web:\n    image: *nope\n').errors).toEqual([{ message: 'alias *nope refers to no anchor defined before it', line: 3, column: 12 }]);
    expect(loadYaml('a: *later\nb: &later 1\n').errors).toEqual([{ message: 'alias *later refers to no anchor defined before it', line: 1, column: 4 }]);
  });

  it('refuses nesting past the limit and aliases that contain themselves', () => {
    const deep = `${'['.repeat(YAML_LIMITS.maxDepth + 2)}${']'.repeat(YAML_LIMITS.maxDepth + 2)}`;
    expect(loadYaml(deep).errors[0]?.message).toMatch(/nested deeper than 64 levels/);
    expect(loadYaml('a: &a [1, *a]\n').errors[0]?.message).toMatch(/nested deeper than 64 levels/);
    expect(loadYaml('a: &a {b: *a}\n').errors[0]?.message).toMatch(/nested deeper/);
    expect(loadYaml('['.repeat(5_000)).errors[0]?.message).toMatch(/^not valid YAML/);
  });

  it('refuses text past the size limit, and values that expand past it within the alias limit', () => {
    expect(loadYaml(`a: "${'x'.repeat(YAML_LIMITS.maxChars)}"`).errors).toEqual([{ message: `longer than ${YAML_LIMITS.maxChars} characters` }]);
    const big = `big: &b "${'x'.repeat(100_000)}"\n${Array.from({ length: 60 }, (_, i) => `k${i}: *b`).join('\n')}\n`;
    expect(loadYaml(big).errors[0]?.message).toMatch(/characters once aliases are expanded/);
  });
});

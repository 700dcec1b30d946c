import { describe, expect, it } from 'vitest';
import { validateHelmSpec } from './helm-validation.js';

describe('validateHelmSpec', () => {
  it('accepts repository and OCI charts with mapping values', () => {
    expect(validateHelmSpec({ chart: 'api', repo: 'https://charts.example.com', chartVersion: '1.2.3', values: 'replicas: 2\nimage:\n  tag: "1.2.3"\n' })).toEqual([]);
    expect(validateHelmSpec({ chart: 'api', oci: 'oci://registry.example.com/charts/api', chartVersion: '2.0.0-rc.1' })).toEqual([]);
  });

  it.each([
    [{ chart: 'API_', repo: 'https://x', chartVersion: '1.0.0' }, 'helm.chart', /not a valid chart name/],
    [{ chart: 'api', chartVersion: '1.0.0' }, 'helm.repo', /repository URL \(repo\) or an OCI reference/],
    [{ chart: 'api', repo: 'https://x', oci: 'oci://y', chartVersion: '1.0.0' }, 'helm.repo', /either repo or oci/],
    [{ chart: 'api', repo: 'ftp://x', chartVersion: '1.0.0' }, 'helm.repo', /http\(s\) URL/],
    [{ chart: 'api', oci: 'registry/x', chartVersion: '1.0.0' }, 'helm.oci', /oci:\/\//],
    [{ chart: 'api', repo: 'https://x', chartVersion: 'latest' }, 'helm.chartVersion', /not a semantic version/],
  ])('rejects %j at its field', (spec, path, message) => {
    const issues = validateHelmSpec(spec);
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe(path);
    expect(issues[0]?.message).toMatch(message);
  });

  it('reports values problems at their line and column', () => {
    const spec = { chart: 'api', repo: 'https://x', chartVersion: '1.0.0' };
    expect(validateHelmSpec({ ...spec, values: 'replicas: 2\nimage:\n  tag: [1\nother: 3' })).toEqual([
      { path: 'helm.values', message: 'not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]', line: 4, column: 1 },
    ]);
    expect(validateHelmSpec({ ...spec, values: 'a: 1\nb: 2\na: 3\n' })).toEqual([{ path: 'helm.values', message: 'not valid YAML: Map keys must be unique', line: 3, column: 1 }]);
    expect(validateHelmSpec({ ...spec, values: '# defaults\n- a\n- b' })).toEqual([{ path: 'helm.values', message: 'values must be a YAML mapping', line: 2, column: 1 }]);
  });
});

import { describe, expect, it } from 'vitest';
import { validateHelmSpec } from './helm-validation.js';

describe('validateHelmSpec', () => {
  it('accepts repository and OCI charts with mapping values', () => {
    expect(validateHelmSpec({ chart: 'api', repo: 'https://charts.example.com', chartVersion: '1.2.3', values: 'replicas: 2\nimage:\n  tag: "1.2.3"\n' })).toEqual([]);
    expect(validateHelmSpec({ chart: 'api', oci: 'oci://registry.example.com/charts/api', chartVersion: '2.0.0-rc.1' })).toEqual([]);
  });

  it.each([
    [{ chart: 'API_', repo: 'https://x', chartVersion: '1.0.0' }, /not a valid chart name/],
    [{ chart: 'api', chartVersion: '1.0.0' }, /repository URL \(repo\) or an OCI reference/],
    [{ chart: 'api', repo: 'https://x', oci: 'oci://y', chartVersion: '1.0.0' }, /either repo or oci/],
    [{ chart: 'api', repo: 'ftp://x', chartVersion: '1.0.0' }, /http\(s\) URL/],
    [{ chart: 'api', oci: 'registry/x', chartVersion: '1.0.0' }, /oci:\/\//],
    [{ chart: 'api', repo: 'https://x', chartVersion: 'latest' }, /not a semantic version/],
    [{ chart: 'api', repo: 'https://x', chartVersion: '1.0.0', values: 'a: [' }, /not valid YAML/],
    [{ chart: 'api', repo: 'https://x', chartVersion: '1.0.0', values: '- a\n- b' }, /must be a YAML mapping/],
  ])('rejects %j', (spec, message) => {
    expect(validateHelmSpec(spec).join('\n')).toMatch(message);
  });
});

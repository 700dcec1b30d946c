import semver from 'semver';
import { isMap } from 'yaml';
import type { HelmSpec, ValidationIssue } from '@flotilla/protocol';
import { loadYaml } from '../shared/yaml-loader.js';

const CHART_NAME = /^[a-z0-9]([a-z0-9-]{0,251}[a-z0-9])?$/;

/**
 * Checks a helm version: a chart name, exactly one source (an http(s) repository URL or an
 * oci:// reference), a semver chart version, and default values that parse as a YAML mapping
 * (problems in them at their line and column). Returns the issues; an empty list means valid.
 */
export function validateHelmSpec(spec: HelmSpec): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const add = (path: string, message: string) => issues.push({ path, message });
  if (!CHART_NAME.test(spec.chart)) add('helm.chart', `chart "${spec.chart}" is not a valid chart name (lowercase letters, digits, "-")`);
  if (spec.repo && spec.oci) add('helm.repo', 'give either repo or oci, not both');
  if (!spec.repo && !spec.oci) add('helm.repo', 'give the chart repository URL (repo) or an OCI reference (oci)');
  if (spec.repo && !/^https?:\/\/[^\s]+$/.test(spec.repo)) add('helm.repo', `repo must be an http(s) URL, got "${spec.repo}"`);
  if (spec.oci && !/^oci:\/\/[^\s]+$/.test(spec.oci)) add('helm.oci', `oci must start with oci://, got "${spec.oci}"`);
  if (!semver.valid(spec.chartVersion)) add('helm.chartVersion', `chartVersion "${spec.chartVersion}" is not a semantic version`);
  if (spec.values !== undefined && spec.values.trim() !== '') {
    const { doc, errors, at } = loadYaml(spec.values);
    const problems = errors.length > 0 ? errors : isMap(doc.contents) ? [] : [{ message: 'values must be a YAML mapping', ...at(doc.contents) }];
    issues.push(...problems.map((p) => ({ path: 'helm.values', ...p })));
  }
  return issues;
}

import semver from 'semver';
import { isMap, parseDocument } from 'yaml';
import type { HelmSpec } from '@flotilla/protocol';

const CHART_NAME = /^[a-z0-9]([a-z0-9-]{0,251}[a-z0-9])?$/;

/**
 * Checks a helm version: a chart name, exactly one source (an http(s) repository URL or an
 * oci:// reference), a semver chart version, and default values that parse as a YAML mapping.
 * Returns the problems; an empty list means valid.
 */
export function validateHelmSpec(spec: HelmSpec): string[] {
  const problems: string[] = [];
  if (!CHART_NAME.test(spec.chart)) problems.push(`chart "${spec.chart}" is not a valid chart name (lowercase letters, digits, "-")`);
  if (spec.repo && spec.oci) problems.push('give either repo or oci, not both');
  if (!spec.repo && !spec.oci) problems.push('give the chart repository URL (repo) or an OCI reference (oci)');
  if (spec.repo && !/^https?:\/\/[^\s]+$/.test(spec.repo)) problems.push(`repo must be an http(s) URL, got "${spec.repo}"`);
  if (spec.oci && !/^oci:\/\/[^\s]+$/.test(spec.oci)) problems.push(`oci must start with oci://, got "${spec.oci}"`);
  if (!semver.valid(spec.chartVersion)) problems.push(`chartVersion "${spec.chartVersion}" is not a semantic version`);
  if (spec.values !== undefined && spec.values.trim() !== '') {
    const doc = parseDocument(spec.values, { uniqueKeys: true });
    if (doc.errors.length > 0) problems.push(`values are not valid YAML: ${doc.errors[0]?.message.split('\n')[0] ?? ''}`);
    else if (!isMap(doc.contents)) problems.push('values must be a YAML mapping');
  }
  return problems;
}

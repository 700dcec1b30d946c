import type { ValidationIssue } from '@flotilla/protocol';
import type { TextProblem } from '../shared/yaml-loader.js';

/** How people call the documents and fields of a version, for the error message. */
const LABELS: Readonly<Record<string, string>> = {
  'compose.file': 'Compose file',
  'compose.env': 'Env file',
  'helm.values': 'Values',
  'helm.chart': 'Chart',
  'helm.repo': 'Repository',
  'helm.oci': 'OCI reference',
  'helm.chartVersion': 'Chart version',
};

/** The problems of one document as issues at its path. */
export function documentIssues(path: string, problems: readonly TextProblem[]): ValidationIssue[] {
  return problems.map((p) => ({ path, ...p }));
}

/** One issue for people: `Compose file, line 3: service "web" has no image`. */
export function describeIssue(issue: ValidationIssue): string {
  const label = LABELS[issue.path] ?? issue.path;
  return issue.line === undefined ? `${label}: ${issue.message}` : `${label}, line ${issue.line}: ${issue.message}`;
}

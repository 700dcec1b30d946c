import { ValidationIssue } from '@flotilla/protocol';
import { FlotillaError, errorMessage } from '../api/errors';

/**
 * Form errors in plain words. The hub answers a bad body with `400 VALIDATION_FAILED` and
 * `details.issues: [{path, message, line?, column?}]` (zod's wording, e.g. "Too small: expected
 * string to have >=1 characters"). `formErrors(err, labels)` turns that into what a form shows: one
 * message per field (keyed by the form's own field keys) and a summary that names each field by its
 * label ("Password: at least 10 characters"). Any other error (a 409's message, a network failure)
 * becomes the summary as it is, with no field messages.
 */

/** A problem inside a text document (a compose file, a values YAML), for the editor to mark its line. */
export interface LineIssue {
  /** The form's field key the document belongs to (see `FieldLabels`). */
  field: string;
  line: number;
  column?: number;
  message: string;
}

export interface FormErrors {
  /** One line for the form's alert, every field named by its label; '' when there is no error. */
  summary: string;
  /** The first plain message per field key, for the message under each field. */
  fields: Record<string, string>;
  /** Issues with a line number, for an editor's line markers (also in `summary` and `fields`). */
  lines: LineIssue[];
}

/**
 * The form's fields: issue path (or a path prefix) → label. The key is also the field key in
 * `FormErrors.fields`. E.g. `{ name: 'Name', 'compose.file': 'Compose file', helm: 'Chart' }`: an
 * issue at `helm.chartVersion` with no label of its own falls to `helm`.
 */
export type FieldLabels = Readonly<Record<string, string>>;

/** A form with nothing wrong (the state before a submit, and after a good one). */
export function noErrors(): FormErrors {
  return { summary: '', fields: {}, lines: [] };
}

/** The validation issues an error carries (`details.issues` of a hub 400), else none. */
export function issuesOf(err: unknown): ValidationIssue[] {
  if (!(err instanceof FlotillaError)) return [];
  const parsed = ValidationIssue.array().safeParse(err.details?.issues);
  return parsed.success ? parsed.data : [];
}

/** Plain form errors for whatever a submit threw (see the module comment). */
export function formErrors(err: unknown, labels: FieldLabels = {}): FormErrors {
  const issues = issuesOf(err);
  if (issues.length === 0) return { summary: errorMessage(err), fields: {}, lines: [] };
  return describeForm(issues, labels);
}

/** Plain form errors for issues found before sending (the same shape as the hub's). */
export function describeForm(issues: readonly ValidationIssue[], labels: FieldLabels = {}): FormErrors {
  const fields: Record<string, string> = {};
  const lines: LineIssue[] = [];
  const parts: string[] = [];
  for (const issue of issues) {
    const field = fieldKey(issue.path, labels);
    const message = plainMessage(issue.message);
    if (issue.line !== undefined) {
      lines.push({ field, line: issue.line, ...(issue.column !== undefined ? { column: issue.column } : {}), message });
      const where = `line ${issue.line}`;
      parts.push(`${labelOf(field, labels)}, ${where}: ${message}`);
      fields[field] ??= `${capitalize(where)}: ${message}`;
      continue;
    }
    if (fields[field] !== undefined) continue;
    fields[field] = message;
    parts.push(field === '' ? capitalize(message) : `${labelOf(field, labels)}: ${message}`);
  }
  return { summary: parts.join('; '), fields, lines };
}

/** The form's key for an issue path: the longest labelled prefix, else the path itself ('' = the whole body). */
export function fieldKey(path: string, labels: FieldLabels): string {
  if (path === '(root)' || path === '') return '';
  const segments = path.split('.');
  for (let n = segments.length; n > 0; n--) {
    const prefix = segments.slice(0, n).join('.');
    if (labels[prefix] !== undefined) return prefix;
  }
  return path;
}

/** A field's label, or words made from its path (`chartVersion` → `Chart version`). */
export function labelOf(field: string, labels: FieldLabels): string {
  const label = labels[field];
  if (label !== undefined) return label;
  const last = field.split('.').filter((s) => !/^\d+$/.test(s)).at(-1) ?? field;
  return capitalize(last.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase());
}

const RULES: ReadonlyArray<[RegExp, (m: RegExpMatchArray) => string]> = [
  [/^Invalid input: expected \w+, received (undefined|null)$/, () => 'required'],
  [/^Too small: expected string to have >=?1 characters?$/, () => 'required'],
  [/^Too small: expected string to have >=?(\d+) characters$/, (m) => `at least ${m[1]} characters`],
  [/^Too big: expected string to have <=?(\d+) characters$/, (m) => `at most ${m[1]} characters`],
  [/^Too small: expected array to have >=?1 items?$/, () => 'choose at least one'],
  [/^Too small: expected array to have >=?(\d+) items$/, (m) => `at least ${m[1]} items`],
  [/^Too big: expected array to have <=?(\d+) items$/, (m) => `at most ${m[1]} items`],
  [/^Too small: expected number to be >=(\d+(?:\.\d+)?)$/, (m) => `at least ${m[1]}`],
  [/^Too small: expected number to be >(\d+(?:\.\d+)?)$/, (m) => `more than ${m[1]}`],
  [/^Too big: expected number to be <=(\d+(?:\.\d+)?)$/, (m) => `at most ${m[1]}`],
  [/^Too big: expected number to be <(\d+(?:\.\d+)?)$/, (m) => `less than ${m[1]}`],
  [/^Invalid input: expected int, received number$/, () => 'a whole number'],
  [/^Invalid input: expected number, received \w+$/, () => 'a number'],
  [/^Invalid email address$/, () => 'not a valid email address'],
  [/^Invalid URL$/, () => 'not a valid URL'],
  [/^Invalid UUID$/, () => 'not one of the choices'],
  [/^Invalid option: expected one of (.+)$/, (m) => `choose one of ${(m[1] ?? '').replace(/"/g, '').split('|').join(', ')}`],
  [/^Invalid string: must match pattern .*$/, () => 'not in the expected format'],
  [/^must be (at (?:least|most) .*)$/, (m) => m[1] ?? ''],
  [/^(letters, digits.*)$/, (m) => `use only ${m[1] ?? ''}`],
  [/^Invalid input$/, () => 'not valid'],
];

/** One zod or hub message in plain words, lower-case first (it follows a label). */
export function plainMessage(message: string): string {
  const text = message.trim();
  for (const [pattern, say] of RULES) {
    const m = text.match(pattern);
    if (m) return say(m);
  }
  return text;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

import { REDACTED, type DesiredComponent } from '@flotilla/protocol';

/**
 * Secret values shorter than this are redacted by their key only, not searched for in every file:
 * replacing every "ab" in a log would destroy the log and protect nothing.
 */
export const MIN_SECRET_LENGTH = 4;

/**
 * `KEY=value`, `KEY: value`, `"KEY": "value"` on one line (env files, YAML, JSON text, log lines).
 * The value is a quoted string or a run up to whitespace or a delimiter; `[ \t]*` never crosses a line.
 */
const ASSIGNMENT = /([A-Za-z_][A-Za-z0-9_.-]*)(["']?)([ \t]*[=:][ \t]*)("(?:[^"\\\n]|\\.)*"|'[^'\n]*'|[^\s,;&"'}\]]+)/g;
/** A whole string that is one `KEY=value` (docker inspect's `Env` entries, argv). */
const WHOLE_ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_.-]*)=([\s\S]*)$/;

export interface Redacted<T> {
  value: T;
  /** How many values were replaced. */
  count: number;
}

/**
 * Redacts what a support bundle must not carry: the value of every environment key matching one
 * of the patterns (case-insensitive), and every per-installation secret value wherever it appears.
 * Pure; one instance per bundle.
 */
export class Redactor {
  private readonly patterns: RegExp[];
  /** Longest first, so a secret containing another is replaced whole; with their JSON-escaped forms. */
  private readonly needles: string[];

  constructor(patterns: readonly string[], secretValues: Iterable<string>) {
    this.patterns = patterns.map((p) => new RegExp(p, 'i'));
    const needles = new Set<string>();
    for (const value of secretValues) {
      if (value.length < MIN_SECRET_LENGTH) continue;
      needles.add(value);
      needles.add(JSON.stringify(value).slice(1, -1));
    }
    this.needles = [...needles].sort((a, b) => b.length - a.length);
  }

  /** How many secret values are searched for everywhere. */
  get secretCount(): number {
    return this.needles.length;
  }

  keyMatches(key: string): boolean {
    return this.patterns.some((p) => p.test(key));
  }

  /** Free text: assignments to matching keys, then secret values. */
  text(input: string): Redacted<string> {
    const keyed = this.assignments(input);
    const found = this.secrets(keyed.value);
    return { value: found.value, count: keyed.count + found.count };
  }

  /** Structured data: matching keys and `KEY=value` strings anywhere in it, then secret values; as pretty JSON. */
  json(data: unknown): Redacted<string> {
    let count = 0;
    const walk = (value: unknown, key: string | undefined): unknown => {
      if (key !== undefined && this.keyMatches(key) && value !== null && typeof value !== 'object' && value !== '' && value !== REDACTED) {
        count++;
        return REDACTED;
      }
      if (typeof value === 'string') {
        const whole = WHOLE_ASSIGNMENT.exec(value);
        if (whole && this.keyMatches(whole[1] as string) && whole[2] !== '' && whole[2] !== REDACTED) {
          count++;
          return `${whole[1]}=${REDACTED}`;
        }
        const inner = this.assignments(value);
        count += inner.count;
        return inner.value;
      }
      if (Array.isArray(value)) return value.map((v) => walk(v, undefined));
      if (value !== null && typeof value === 'object') {
        const entries = Object.entries(value);
        // Kubernetes env entries and the like: {name: "DB_PASSWORD", value: "…"}.
        const named = (value as { name?: unknown }).name;
        const hidesValue = typeof named === 'string' && this.keyMatches(named);
        return Object.fromEntries(entries.map(([k, v]) => [k, hidesValue && k === 'value' ? walk(v, named) : walk(v, k)]));
      }
      return value;
    };
    const text = JSON.stringify(walk(data, undefined), null, 2) ?? 'null';
    const found = this.secrets(text);
    return { value: found.value, count: count + found.count };
  }

  private assignments(input: string): Redacted<string> {
    let count = 0;
    const value = input.replace(ASSIGNMENT, (match, key: string, quote: string, sep: string, val: string) => {
      if (!this.keyMatches(key) || val === REDACTED || val === `"${REDACTED}"`) return match;
      count++;
      const quoted = val.startsWith('"') ? `"${REDACTED}"` : val.startsWith("'") ? `'${REDACTED}'` : REDACTED;
      return `${key}${quote}${sep}${quoted}`;
    });
    return { value, count };
  }

  private secrets(input: string): Redacted<string> {
    let count = 0;
    let value = input;
    for (const needle of this.needles) {
      const parts = value.split(needle);
      if (parts.length === 1) continue;
      count += parts.length - 1;
      value = parts.join(REDACTED);
    }
    return { value, count };
  }
}

/** `KEY=value` lines of an env file (comments and blanks skipped; `export ` and quotes tolerated). */
export function envFileEntries(text: string): [string, string][] {
  const out: [string, string][] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim().replace(/^export\s+/, '');
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    let value = line.slice(eq + 1).trim();
    if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.endsWith(value[0])) value = value.slice(1, -1);
    out.push([line.slice(0, eq).trim(), value]);
  }
  return out;
}

/**
 * The values to search for in every file: each per-installation secret (`secretKeys` of a compose
 * component's `environment`), every environment or env-file value whose key matches the patterns,
 * and registry passwords. The agent knows them in plaintext; the bundle must not.
 */
export function secretValuesOf(components: readonly DesiredComponent[], redactor: Pick<Redactor, 'keyMatches'>): Set<string> {
  const values = new Set<string>();
  for (const c of components) {
    if (c.kind === 'compose') {
      const secretKeys = new Set(c.spec.secretKeys ?? []);
      for (const [key, value] of Object.entries(c.spec.environment ?? {})) if (secretKeys.has(key) || redactor.keyMatches(key)) values.add(value);
      for (const [key, value] of envFileEntries(c.spec.env ?? '')) if (secretKeys.has(key) || redactor.keyMatches(key)) values.add(value);
    } else if (c.spec.credentials) {
      values.add(c.spec.credentials.password);
    }
  }
  values.delete('');
  return values;
}

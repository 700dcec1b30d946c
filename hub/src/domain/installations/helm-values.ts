import { isMap, parse, parseDocument, stringify } from 'yaml';
import type { DesiredComponent } from '@flotilla/protocol';

type Mapping = Record<string, unknown>;

const isMapping = (v: unknown): v is Mapping => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Problems of a values text; empty text is a valid (empty) override. */
export function valuesProblems(text: string): string[] {
  if (text.trim() === '') return [];
  const doc = parseDocument(text, { uniqueKeys: true, merge: true });
  if (doc.errors.length > 0) return [`not valid YAML: ${doc.errors[0]?.message.split('\n')[0] ?? ''}`];
  return isMap(doc.contents) ? [] : ['must be a YAML mapping'];
}

/** Helm's rule for `-f` files: mappings merge key by key, recursively; arrays and scalars (and null) replace. */
export function deepMerge(base: Mapping, override: Mapping): Mapping {
  const out: Mapping = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = out[key];
    out[key] = isMapping(current) && isMapping(value) ? deepMerge(current, value) : value;
  }
  return out;
}

function mappingOf(text: string | undefined, what: string): Mapping {
  if (text === undefined || text.trim() === '') return {};
  const value: unknown = parse(text, { merge: true });
  if (!isMapping(value)) throw new Error(`${what} must be a YAML mapping`);
  return value;
}

/**
 * The values a helm component is deployed with: the version's defaults with the installation's
 * override deep-merged on top. Without an override the defaults are kept exactly as written.
 */
export function mergeHelmValues(defaults: string | undefined, override: string | undefined): string | undefined {
  if (override === undefined || override.trim() === '') return defaults;
  return stringify(deepMerge(mappingOf(defaults, 'version values'), mappingOf(override, 'values override')));
}

/** Applies an installation's per-component overrides to the helm components of a desired state. */
export function withHelmValueOverrides(components: readonly DesiredComponent[], overrides: Readonly<Record<string, string>>): DesiredComponent[] {
  return components.map((c) => {
    const override = overrides[c.name];
    if (c.kind !== 'helm' || override === undefined) return c;
    const values = mergeHelmValues(c.spec.values, override);
    return { ...c, spec: { ...c.spec, ...(values === undefined ? {} : { values }) } };
  });
}

import { stringify } from 'yaml';
import { AppError } from '../../errors.js';
import { loadYaml } from '../shared/yaml-loader.js';

type Mapping = Record<string, unknown>;

const isMapping = (v: unknown): v is Mapping => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A values text as a mapping, or its problems; empty text is a valid (empty) mapping. */
function loadValues(text: string | undefined): { mapping: Mapping; problems: string[] } {
  if (text === undefined || text.trim() === '') return { mapping: {}, problems: [] };
  const { value, errors } = loadYaml(text);
  if (errors.length > 0) return { mapping: {}, problems: errors.map((e) => (e.line === undefined ? e.message : `${e.message.split('\n')[0] ?? ''} (line ${e.line})`)) };
  return isMapping(value) ? { mapping: value, problems: [] } : { mapping: {}, problems: ['must be a YAML mapping'] };
}

/** Problems of a values text; checked with the loader deploys use, so what is accepted always merges. */
export function valuesProblems(text: string): string[] {
  return loadValues(text).problems;
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

/** Stored values were checked by the same loader; one stored before those checks is a conflict to fix, not a crash. */
function mappingOf(text: string | undefined, what: string): Mapping {
  const { mapping, problems } = loadValues(text);
  if (problems.length > 0) throw new AppError('CONFLICT', `The ${what} cannot be used: ${problems.join('; ')}. Correct it and deploy again.`);
  return mapping;
}

/**
 * The values a helm component is deployed with: the version's defaults with the installation's
 * override deep-merged on top. Without an override the defaults are kept exactly as written.
 */
export function mergeHelmValues(defaults: string | undefined, override: string | undefined): string | undefined {
  if (override === undefined || override.trim() === '') return defaults;
  return stringify(deepMerge(mappingOf(defaults, 'version values'), mappingOf(override, 'values override')));
}

import { isMap, isScalar, type Node } from 'yaml';
import { loadYaml, type TextProblem } from '../shared/yaml-loader.js';

const TOP_LEVEL = new Set(['version', 'name', 'services', 'networks', 'volumes', 'configs', 'secrets', 'include']);
const ENV_LINE = /^(export\s+)?[A-Za-z_][A-Za-z0-9_]*=.*$/;

/**
 * Checks that a text is a Docker Compose file the agent can run: YAML that loads within the hub's
 * limits (no alias bomb, even under an `x-` key; no undefined alias), a mapping with a
 * non-empty `services` mapping, each service a mapping with an `image` (agents have no build context).
 * Returns the problems in plain words, each at the line and column it is about when there is one;
 * an empty list means valid.
 */
export function validateComposeFile(text: string): TextProblem[] {
  const { doc, value, errors, at } = loadYaml(text);
  if (errors.length > 0) return errors;
  const root = doc.contents;
  if (!isMap(root)) return [{ message: 'the file must be a YAML mapping with a "services" key', ...at(root) }];

  const problems: TextProblem[] = [];
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    if (!TOP_LEVEL.has(key) && !key.startsWith('x-')) problems.push({ message: `unknown top-level key "${key}" (compose allows ${[...TOP_LEVEL].join(', ')}, x-*)`, ...at(pair.key as Node) });
  }
  const servicesPair = root.items.find((p) => isScalar(p.key) && p.key.value === 'services');
  if (!servicesPair) return [...problems, { message: 'there is no "services" mapping' }];
  const services = servicesPair.value;
  if (!isMap(services) || services.items.length === 0) {
    return [...problems, { message: '"services" must be a non-empty mapping of service names to definitions', ...at((services as Node | null) ?? (servicesPair.key as Node)) }];
  }

  for (const pair of services.items) {
    const name = isScalar(pair.key) ? String(pair.key.value) : '?';
    const svc = pair.value;
    if (!isMap(svc)) {
      problems.push({ message: `service "${name}" must be a mapping`, ...at((svc as Node | null) ?? (pair.key as Node)) });
      continue;
    }
    // The loaded value has merge keys (`<<: *defaults`) applied: the image may come from one.
    const image: unknown = serviceValue(value, name)?.image ?? svc.get('image');
    if (typeof image !== 'string' || image.trim() === '') {
      const message = svc.has('build') ? `service "${name}" uses "build"; agents cannot build images, give it an "image"` : `service "${name}" has no image`;
      problems.push({ message, ...at(pair.key as Node) });
    }
  }
  return problems;
}

function serviceValue(file: unknown, name: string): Record<string, unknown> | undefined {
  const services = (file as { services?: Record<string, unknown> } | undefined)?.services;
  const svc = services?.[name];
  return svc !== null && typeof svc === 'object' ? (svc as Record<string, unknown>) : undefined;
}

/** Env template: KEY=value lines, blank lines and # comments. Returns the offending lines. */
export function validateEnvFile(text: string): TextProblem[] {
  return text
    .split(/\r?\n/)
    .map((line, i) => ({ text: line.trim(), line: i + 1 }))
    .filter(({ text: t }) => t !== '' && !t.startsWith('#') && !ENV_LINE.test(t))
    .map(({ text: t, line }) => ({ message: `not KEY=value: "${t.slice(0, 80)}"`, line, column: 1 }));
}

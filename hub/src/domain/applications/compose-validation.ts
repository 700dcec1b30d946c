import { isMap, isScalar, parseDocument, type Document } from 'yaml';

const TOP_LEVEL = new Set(['version', 'name', 'services', 'networks', 'volumes', 'configs', 'secrets', 'include']);
const ENV_LINE = /^(export\s+)?[A-Za-z_][A-Za-z0-9_]*=.*$/;

/**
 * Checks that a text is a Docker Compose file the agent can run: YAML that parses, a mapping with a
 * non-empty `services` mapping, each service a mapping with an `image` (agents have no build context).
 * Returns the problems, each naming where it is; an empty list means valid.
 */
export function validateComposeFile(text: string): string[] {
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  } catch (err) {
    return [`compose file is not valid YAML: ${err instanceof Error ? err.message : String(err)}`];
  }
  if (doc.errors.length > 0) return doc.errors.map((e) => `compose file is not valid YAML: ${e.message.split('\n')[0] ?? e.message}`);
  const root = doc.contents;
  if (!isMap(root)) return ['compose file must be a YAML mapping with a "services" key'];

  const problems: string[] = [];
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    if (!TOP_LEVEL.has(key) && !key.startsWith('x-')) problems.push(`unknown top-level key "${key}" (compose allows ${[...TOP_LEVEL].join(', ')}, x-*)`);
  }
  const services = root.get('services', true);
  if (services === undefined) return [...problems, 'compose file has no "services"'];
  if (!isMap(services) || services.items.length === 0) return [...problems, '"services" must be a non-empty mapping of service names to definitions'];

  for (const pair of services.items) {
    const name = isScalar(pair.key) ? String(pair.key.value) : '?';
    const svc = pair.value;
    if (!isMap(svc)) {
      problems.push(`services.${name} must be a mapping`);
      continue;
    }
    const image = svc.get('image');
    if (typeof image !== 'string' || image.trim() === '') {
      problems.push(svc.has('build') ? `services.${name} uses "build"; agents cannot build images, give an "image"` : `services.${name} has no "image"`);
    }
  }
  return problems;
}

/** Env template: KEY=value lines, blank lines and # comments. Returns the offending lines. */
export function validateEnvFile(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line, i) => ({ line: line.trim(), n: i + 1 }))
    .filter(({ line }) => line !== '' && !line.startsWith('#') && !ENV_LINE.test(line))
    .map(({ line, n }) => `env line ${n} is not KEY=value: "${line.slice(0, 80)}"`);
}

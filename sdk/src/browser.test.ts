import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = path.dirname(fileURLToPath(import.meta.url));
/** Packages a web page may bundle; anything else (node:*, yargs…) has no place in `@flotilla/sdk/client`. */
const BROWSER_SAFE = new Set(['@flotilla/protocol', 'zod']);

/** Every package the module imports at run time, following its relative imports (type-only imports vanish in the build). */
function runtimeImports(file: string, seen = new Set<string>()): Set<string> {
  const packages = new Set<string>();
  if (seen.has(file)) return packages;
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/^(?:import|export)\s+(?!type\s)[^;]*?from\s+'([^']+)'/gms)) {
    const spec = m[1] as string;
    if (spec.startsWith('.')) for (const p of runtimeImports(path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts')), seen)) packages.add(p);
    else packages.add(spec);
  }
  return packages;
}

describe('@flotilla/sdk/client', () => {
  it('imports nothing a browser bundle cannot take', () => {
    const packages = runtimeImports(path.join(SRC, 'browser.ts'));
    expect([...packages].filter((p) => !BROWSER_SAFE.has(p))).toEqual([]);
    // The check itself sees Node-only imports: the main entry has the license check on node:crypto.
    expect(runtimeImports(path.join(SRC, 'index.ts'))).toContain('node:crypto');
  });
});

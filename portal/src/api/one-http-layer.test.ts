import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The portal talks REST through the SDK's client only (`hub.ts`): a call to the global fetch, an
 * XMLHttpRequest or an `/api/v1` URL written in the portal's sources would be a second HTTP layer,
 * with its own errors and its own 401 handling.
 */
const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SECOND_LAYER = [
  // A call of the global fetch; not a method named fetch, nor its definition (`fetch(work) {`).
  /(?<![.\w])fetch\s*\((?![^()]*\)\s*[:{])/,
  /\b(?:globalThis|window|self)\.fetch\b/,
  /\bXMLHttpRequest\b/,
  /\/api\/v1\b/,
  /\baxios\b/,
];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'testing' ? [] : sources(full);
    return /\.(ts|vue)$/.test(e.name) && !e.name.endsWith('.test.ts') ? [full] : [];
  });
}

function offences(text: string): string[] {
  return SECOND_LAYER.filter((pattern) => pattern.test(text)).map(String);
}

describe('one HTTP layer', () => {
  it('no portal source calls the hub except through the SDK client', () => {
    const found = sources(SRC).flatMap((file) => offences(readFileSync(file, 'utf8')).map((o) => `${path.relative(SRC, file)}: ${o}`));
    expect(found).toEqual([]);
  });

  it('the check sees a raw call, and not a method named fetch', () => {
    expect(offences("const res = await fetch('/api/v1/me');")).toHaveLength(2);
    expect(offences('new XMLHttpRequest()')).toHaveLength(1);
    expect(offences('window.fetch(url)')).toHaveLength(1);
    expect(offences('await feed.fetch(() => hub.request("GET /me"))')).toEqual([]);
    expect(offences('  async fetch(work) {')).toEqual([]);
  });
});

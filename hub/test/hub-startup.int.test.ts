import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// What a hub process loads before it can serve: every restart (and so every agent reconnect storm)
// waits on it. Libraries used only by rare requests are loaded on first use, not at start.
const APP = fileURLToPath(new URL('../dist/src/app.js', import.meta.url));
/** Loaded only when a request needs them (about half of a start each, on 2 cores). */
const LOADED_ON_FIRST_USE = ['jsdom', 'dompurify'];

describe('hub start', () => {
  it(`does not load ${LOADED_ON_FIRST_USE.join(' or ')} until a request needs them`, async () => {
    const script = `
      import { createRequire } from 'node:module';
      await import(${JSON.stringify(APP)});
      const loaded = Object.keys(createRequire(import.meta.url).cache);
      console.log(JSON.stringify(${JSON.stringify(LOADED_ON_FIRST_USE)}.filter((name) => loaded.some((file) => file.includes('/node_modules/' + name + '/')))));
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { timeout: 60_000 });
    expect(JSON.parse(stdout.trim().split('\n').at(-1) ?? 'null')).toEqual([]);
  });
});

import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { x as extract } from 'tar';
import { BundleManifest, REDACTED } from '@flotilla/protocol';
import { buildBundleFiles, MANIFEST_PATH, safeSegment, type RawBundleFile } from './bundle-files.js';
import { packBundle } from './pack.js';
import { Redactor } from './redact.js';

const meta = { bundleId: 'b1', installationId: 'i1', createdAt: new Date(0).toISOString(), agentKind: 'compose', agentVersion: '1.0.0', logLines: 10, redactPatterns: ['pass'], problems: ['logs of "db": no container holding DB_PASSWORD=leak'] };

const raw: RawBundleFile[] = [
  { path: 'agent/state.json', description: 'state', json: { env: 'DB_PASSWORD=hunter2\n', environment: { LICENSE_CODE: 'LIC-9999' } } },
  { path: 'logs/web.log', description: 'logs', text: 'web-1 | started with LIC-9999\nweb-1 | ok' },
];

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function listTree(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await listTree(path.join(dir, entry.name), rel)));
    else out.push(rel);
  }
  return out.sort();
}

describe('support bundle files and archive', () => {
  it('lists every file in the manifest with its size and redactions, and redacts the problems too', () => {
    const { files, manifest } = buildBundleFiles(raw, new Redactor(['pass'], ['LIC-9999']), meta);
    expect(files.map((f) => f.path)).toEqual([MANIFEST_PATH, 'agent/state.json', 'logs/web.log']);
    expect(BundleManifest.parse(manifest).files).toEqual([
      { path: 'agent/state.json', bytes: Buffer.byteLength(files[1]?.content ?? ''), description: 'state', redactions: 2 },
      { path: 'logs/web.log', bytes: Buffer.byteLength(files[2]?.content ?? ''), description: 'logs', redactions: 1 },
    ]);
    expect(manifest.secretValues).toBe(1);
    expect(manifest.problems).toEqual([`logs of "db": no container holding DB_PASSWORD=${REDACTED}`]);
    for (const f of files) {
      expect(f.content).not.toContain('hunter2');
      expect(f.content).not.toContain('LIC-9999');
    }
  });

  it('packs into one folder that unpacks to the listed files', async () => {
    const { files } = buildBundleFiles(raw, new Redactor(['pass'], ['LIC-9999']), meta);
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'bundle-test-'));
    dirs.push(tmp);
    const packed = await packBundle(files, 'support-bundle-b1', tmp);
    const out = await mkdtemp(path.join(os.tmpdir(), 'bundle-out-'));
    dirs.push(out);
    await extract({ file: packed.file, cwd: out });
    expect(await readdir(out)).toEqual(['support-bundle-b1']);
    expect(await listTree(path.join(out, 'support-bundle-b1'))).toEqual(['agent/state.json', 'logs/web.log', 'manifest.json']);
    const manifest = BundleManifest.parse(JSON.parse(await readFile(path.join(out, 'support-bundle-b1', 'manifest.json'), 'utf8')));
    expect(manifest.files.map((f) => f.path)).toEqual(['agent/state.json', 'logs/web.log']);
    expect(await readFile(path.join(out, 'support-bundle-b1', 'logs/web.log'), 'utf8')).toBe(`web-1 | started with ${REDACTED}\nweb-1 | ok\n`);
    await packed.dispose();
    expect(await readdir(tmp)).toEqual([]);
  });

  it('refuses paths that would leave the bundle folder, and names stay single segments', async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'bundle-test-'));
    dirs.push(tmp);
    await expect(packBundle([{ path: '../evil', content: 'x', description: '', redactions: 0 }], 'root', tmp)).rejects.toThrow(/escapes/);
    expect(await readdir(tmp)).toEqual([]);
    expect(safeSegment('../../etc')).toBe('__.._etc');
    expect(safeSegment('')).toBe('_');
  });
});

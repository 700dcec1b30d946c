import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { create } from 'tar';
import type { BundleFile } from './bundle-files.js';

export interface PackedBundle {
  /** The `.tar.gz` archive. */
  file: string;
  /** Removes the archive and its staging folder. */
  dispose(): Promise<void>;
}

/**
 * Writes the (already redacted) files under `<root>/` in a private temporary folder and packs them
 * as `<root>.tar.gz`, so the archive unpacks into one folder. Files are readable by the owner only.
 */
export async function packBundle(files: readonly BundleFile[], root: string, tmpDir = os.tmpdir()): Promise<PackedBundle> {
  const dir = await mkdtemp(path.join(tmpDir, 'flotilla-bundle-'));
  const dispose = () => rm(dir, { recursive: true, force: true });
  try {
    const base = path.join(dir, root);
    for (const f of files) {
      const target = path.join(base, ...f.path.split('/'));
      if (!target.startsWith(base + path.sep)) throw new Error(`bundle path escapes its folder: ${f.path}`);
      await mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
      await writeFile(target, f.content, { mode: 0o600 });
    }
    const file = path.join(dir, `${root}.tar.gz`);
    await create({ gzip: true, file, cwd: dir, portable: true }, [root]);
    return { file, dispose };
  } catch (err) {
    await dispose();
    throw err;
  }
}

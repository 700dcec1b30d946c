import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ClientFiles } from './helm-cli.js';

/**
 * A private directory (0700) for one helm operation: the values file (0600) and the helm client's
 * repository/registry configuration, which hold credentials once a login ran. Always disposed
 * after the operation, so no values or credentials stay on disk.
 */
export class Workspace {
  private constructor(
    readonly dir: string,
    readonly files: ClientFiles,
  ) {}

  static async create(parent: string, values: string): Promise<Workspace> {
    await mkdir(parent, { recursive: true, mode: 0o700 });
    const dir = await mkdtemp(path.join(parent, 'op-'));
    const files: ClientFiles = {
      valuesFile: path.join(dir, 'values.yaml'),
      repositoryConfig: path.join(dir, 'repositories.yaml'),
      repositoryCache: path.join(dir, 'repository-cache'),
      registryConfig: path.join(dir, 'registry.json'),
    };
    try {
      await writeFile(files.valuesFile, values, { mode: 0o600 });
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
    return new Workspace(dir, files);
  }

  async dispose(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

/** What the agent last did to one release. */
export const AppliedRelease = z.object({
  /** The Helm revision the agent's last install/upgrade/rollback produced. */
  revision: z.number().int().min(0),
  /** Fingerprint of the spec that revision was applied from; null after a failure or a rollback. */
  specHash: z.string().nullable(),
  at: z.string(),
});
export type AppliedRelease = z.infer<typeof AppliedRelease>;

const FileContent = z.object({ releases: z.record(z.string(), AppliedRelease) });

export const APPLIED_FILE = 'helm-releases.json';

/**
 * The revision the agent produced per release, in `<stateDir>/helm-releases.json`, replaced
 * atomically (write + rename) so a crash never leaves half a file. Comparing it with `helm status`
 * tells drift (someone else changed the release) from the agent's own work.
 */
export class AppliedRevisions {
  private readonly file: string;
  private cache: Record<string, AppliedRelease> | undefined;

  constructor(stateDir: string) {
    this.file = path.join(stateDir, APPLIED_FILE);
  }

  async get(release: string): Promise<AppliedRelease | undefined> {
    return (await this.load())[release];
  }

  async set(release: string, entry: Omit<AppliedRelease, 'at'>): Promise<void> {
    const releases = { ...(await this.load()), [release]: { ...entry, at: new Date().toISOString() } };
    await this.save(releases);
  }

  async delete(release: string): Promise<void> {
    const { [release]: _gone, ...rest } = await this.load();
    await this.save(rest);
  }

  private async load(): Promise<Record<string, AppliedRelease>> {
    if (this.cache !== undefined) return this.cache;
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if (err instanceof Error && 'code' in err && err.code === 'ENOENT') return (this.cache = {});
      throw err;
    }
    const parsed = FileContent.safeParse(safeJson(text));
    if (!parsed.success) throw new Error(`${this.file} is not a valid applied-revisions file; remove it to start over`);
    return (this.cache = parsed.data.releases);
  }

  private async save(releases: Record<string, AppliedRelease>): Promise<void> {
    const tmp = `${this.file}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await writeFile(tmp, `${JSON.stringify({ releases }, null, 2)}\n`, { mode: 0o600 });
      await rename(tmp, this.file);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    this.cache = releases;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

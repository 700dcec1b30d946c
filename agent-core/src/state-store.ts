import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { DesiredComponent, IsoDate, summarizeIssues } from '@flotilla/protocol';
import type { Logger } from './logger.js';
import { withSecretDigests } from './secret-digest.js';

export const FailureRecord = z.object({
  revision: z.number().int().min(0),
  /** Fingerprint of the desired state that failed (revision + specs). */
  fingerprint: z.string(),
  message: z.string(),
  /** The components the failure is reported on. */
  components: z.array(z.string()),
  at: IsoDate,
});
export type FailureRecord = z.infer<typeof FailureRecord>;

/** What `<stateDir>/state.json` holds. */
export const LocalState = z.object({
  schemaVersion: z.literal(1),
  installationId: z.string(),
  /** The revision fully applied (what runs now); 0 = nothing yet. */
  appliedRevision: z.number().int().min(0),
  /** The spec of each component as last applied successfully (may run ahead of `appliedRevision` after a partial failure). */
  components: z.array(DesiredComponent),
  lastFailure: FailureRecord.nullable(),
  updatedAt: IsoDate.nullable(),
  /**
   * An `uninstall` command removed every component: desired states up to this revision are done
   * with (a hub re-sending one must not bring the components back). Absent: never uninstalled.
   */
  uninstalledRevision: z.number().int().min(0).optional(),
});
export type LocalState = z.infer<typeof LocalState>;

export function emptyState(): LocalState {
  return { schemaVersion: 1, installationId: '', appliedRevision: 0, components: [], lastFailure: null, updatedAt: null };
}

export const STATE_FILE = 'state.json';

/**
 * The agent's local state file. Writes are atomic (tmp file, fsync, rename, fsync of the folder) and
 * serialized, so a crash or SIGKILL leaves either the old or the new file, never half of one.
 */
export class StateStore {
  readonly file: string;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    readonly dir: string,
    private readonly logger: Logger,
  ) {
    this.file = path.join(dir, STATE_FILE);
  }

  /** Reads the state; a missing file is empty, a corrupt one is reported, set aside and treated as empty. */
  async load(): Promise<LocalState> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return emptyState();
      throw err;
    }
    let problem: string;
    try {
      const parsed = LocalState.safeParse(JSON.parse(text));
      if (parsed.success) return parsed.data;
      problem = summarizeIssues(parsed.error.issues);
    } catch (err) {
      problem = err instanceof Error ? err.message : String(err);
    }
    const aside = `${this.file}.corrupt-${Date.now()}`;
    await rename(this.file, aside).catch(() => undefined);
    this.logger.error({ file: this.file, movedTo: aside, problem }, 'local state file is corrupt; starting from an empty state');
    return emptyState();
  }

  /** Atomically replaces the file with `state`; resolves once it is durable. */
  save(state: LocalState): Promise<void> {
    const next = this.chain.then(() => this.write(LocalState.parse(state)));
    // Keep the chain alive after a failed write; the caller still sees the rejection.
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Resolves when every write started so far has finished. */
  async flush(): Promise<void> {
    await this.chain;
  }

  private async write(state: LocalState): Promise<void> {
    // Secrets never reach the disk: the file keeps their digests (enough to tell a change).
    const stored = { ...state, components: withSecretDigests(state.components) };
    await writeFileDurably(this.dir, this.file, `${JSON.stringify(stored, null, 2)}\n`);
  }
}

/**
 * Atomically and durably replaces `file` (inside `dir`) with `text`: tmp file, fsync, rename, fsync
 * of the folder. A crash leaves the old or the new content, never half of one.
 */
export async function writeFileDurably(dir: string, file: string, text: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const handle = await open(tmp, 'w', 0o600);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  await syncDir(dir);
}

async function syncDir(dir: string): Promise<void> {
  // Makes the rename durable; not supported on every platform/filesystem, hence best effort.
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    /* best effort */
  }
}

function isErrno(err: unknown, code: string): boolean {
  return err instanceof Error && 'code' in err && err.code === code;
}

import { readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { CommandType, IsoDate, summarizeIssues } from '@flotilla/protocol';
import type { Logger } from './logger.js';
import { Serial } from './serial.js';
import { writeFileDurably } from './state-store.js';

export const JournalEntry = z.object({
  id: z.string(),
  type: CommandType,
  status: z.enum(['accepted', 'running', 'succeeded', 'failed']),
  message: z.string().optional(),
  /** The hub stored the final progress (else it is sent again after the next hello). */
  reported: z.boolean(),
  at: IsoDate,
});
export type JournalEntry = z.infer<typeof JournalEntry>;

const JournalFile = z.object({ schemaVersion: z.literal(1), entries: z.array(JournalEntry) });

export const JOURNAL_FILE = 'commands.json';
/** Ids remembered: enough to outlast any re-delivery of a command, small enough to rewrite on each change. */
export const JOURNAL_LIMIT = 200;

/**
 * The commands this agent took, in `<stateDir>/commands.json`, so a command delivered again (hello,
 * retry, restarted agent) is never run twice and an unreported result is sent again. Bounded to the
 * most recent JOURNAL_LIMIT commands; every change is written atomically before it is acted on.
 */
export class CommandJournal {
  private entries: JournalEntry[] = [];
  private readonly writes = new Serial();
  readonly file: string;

  constructor(
    private readonly dir: string,
    private readonly logger: Logger,
  ) {
    this.file = path.join(dir, JOURNAL_FILE);
  }

  async load(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if (err instanceof Error && 'code' in err && err.code === 'ENOENT') return;
      throw err;
    }
    let problem: string;
    try {
      const parsed = JournalFile.safeParse(JSON.parse(text));
      if (parsed.success) {
        this.entries = parsed.data.entries;
        return;
      }
      problem = summarizeIssues(parsed.error.issues);
    } catch (err) {
      problem = err instanceof Error ? err.message : String(err);
    }
    const aside = `${this.file}.corrupt-${Date.now()}`;
    await rename(this.file, aside).catch(() => undefined);
    this.logger.error({ file: this.file, movedTo: aside, problem }, 'command journal is corrupt; starting with an empty one');
  }

  get(id: string): JournalEntry | undefined {
    return this.entries.find((e) => e.id === id);
  }

  /** Finished commands whose result the hub has not stored yet. */
  unreported(): JournalEntry[] {
    return this.entries.filter((e) => (e.status === 'succeeded' || e.status === 'failed') && !e.reported);
  }

  /** Adds or replaces an entry and persists the journal; resolves once it is durable. */
  async put(entry: JournalEntry): Promise<void> {
    this.entries = [...this.entries.filter((e) => e.id !== entry.id), entry].slice(-JOURNAL_LIMIT);
    const text = `${JSON.stringify({ schemaVersion: 1, entries: this.entries }, null, 2)}\n`;
    await this.writes.run(() => writeFileDurably(this.dir, this.file, text));
  }

  async update(id: string, patch: Partial<Omit<JournalEntry, 'id' | 'type'>>): Promise<JournalEntry | undefined> {
    const current = this.get(id);
    if (current === undefined) return undefined;
    const next = { ...current, ...patch, at: new Date().toISOString() };
    await this.put(next);
    return next;
  }

  /** Resolves when every write started so far has finished. */
  async flush(): Promise<void> {
    await this.writes.run(() => Promise.resolve());
  }
}

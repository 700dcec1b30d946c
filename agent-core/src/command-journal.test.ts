import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CommandJournal, JOURNAL_FILE, JOURNAL_LIMIT } from './command-journal.js';
import { createLogger } from './logger.js';

const logger = createLogger('silent');
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'flotilla-journal-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const at = '2026-01-01T00:00:00.000Z';

describe('CommandJournal', () => {
  it('persists entries and their updates across instances', async () => {
    const a = new CommandJournal(dir, logger);
    await a.load();
    await a.put({ id: 'c1', type: 'restart', status: 'accepted', reported: false, at });
    await a.update('c1', { status: 'succeeded', message: 'restarted api' });
    const b = new CommandJournal(dir, logger);
    await b.load();
    expect(b.get('c1')).toMatchObject({ status: 'succeeded', message: 'restarted api', reported: false });
    expect(b.unreported().map((e) => e.id)).toEqual(['c1']);
    await b.update('c1', { reported: true });
    expect(b.unreported()).toEqual([]);
  });

  it(`keeps only the last ${JOURNAL_LIMIT} commands`, async () => {
    const j = new CommandJournal(dir, logger);
    for (let i = 0; i < JOURNAL_LIMIT + 3; i++) void j.put({ id: `c${i}`, type: 'restart', status: 'succeeded', reported: true, at });
    await j.flush();
    const onDisk = JSON.parse(await readFile(path.join(dir, JOURNAL_FILE), 'utf8')) as { entries: { id: string }[] };
    expect(onDisk.entries).toHaveLength(JOURNAL_LIMIT);
    expect(onDisk.entries[0]?.id).toBe('c3');
    expect(j.get('c0')).toBeUndefined();
  });

  it('sets a corrupt file aside and starts empty', async () => {
    await writeFile(path.join(dir, JOURNAL_FILE), '{"schemaVersion":1,"entries":[{"id":');
    const j = new CommandJournal(dir, logger);
    await j.load();
    expect(j.get('c1')).toBeUndefined();
    expect((await readdir(dir)).some((f) => f.startsWith(`${JOURNAL_FILE}.corrupt-`))).toBe(true);
  });
});

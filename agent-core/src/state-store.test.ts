import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';
import { emptyState, StateStore, type LocalState } from './state-store.js';

const logger = createLogger('silent');
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'flotilla-state-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sample: LocalState = {
  schemaVersion: 1,
  installationId: 'inst-1',
  appliedRevision: 3,
  components: [{ name: 'web', kind: 'compose', version: '1.0.0', stage: 1, spec: { file: 'services: {}\n', env: 'A=1\n' } }],
  lastFailure: null,
  updatedAt: '2026-01-01T00:00:00.000Z',
};

describe('StateStore', () => {
  it('returns an empty state when there is no file', async () => {
    expect(await new StateStore(path.join(dir, 'missing'), logger).load()).toEqual(emptyState());
  });

  it('round-trips a state and leaves no temporary file behind', async () => {
    const store = new StateStore(path.join(dir, 'nested', 'state'), logger);
    await store.save(sample);
    expect(await store.load()).toEqual(sample);
    expect(await readdir(store.dir)).toEqual(['state.json']);
  });

  it('serializes concurrent writes: the last one wins and the file is always whole', async () => {
    const store = new StateStore(dir, logger);
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.save({ ...sample, appliedRevision: i })));
    const text = await readFile(store.file, 'utf8');
    expect(JSON.parse(text)).toMatchObject({ appliedRevision: 19 });
    expect(await readdir(dir)).toEqual(['state.json']);
  });

  it('refuses to write an invalid state', async () => {
    const store = new StateStore(dir, logger);
    await expect(store.save({ ...sample, appliedRevision: -1 })).rejects.toThrow();
    expect(await readdir(dir)).toEqual([]);
  });

  it.each([
    ['truncated JSON', '{"schemaVersion":1,"installationId":"x","appliedRev'],
    ['wrong shape', JSON.stringify({ schemaVersion: 1, appliedRevision: 'three' })],
    ['empty file', ''],
  ])('treats a corrupt file (%s) as empty and sets it aside', async (_label, content) => {
    const store = new StateStore(dir, logger);
    await writeFile(store.file, content);
    expect(await store.load()).toEqual(emptyState());
    const files = await readdir(dir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^state\.json\.corrupt-\d+$/);
    // The next save works normally.
    await store.save(sample);
    expect(await store.load()).toEqual(sample);
  });
});

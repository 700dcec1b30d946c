import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { APPLIED_FILE, AppliedRevisions } from './applied-revisions.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'flotilla-applied-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('AppliedRevisions', () => {
  it('keeps the revision per release across instances, in a private file', async () => {
    await new AppliedRevisions(dir).set('flt-a-api', { revision: 4, specHash: 'h' });
    await new AppliedRevisions(dir).set('flt-a-web', { revision: 1, specHash: null });
    const again = new AppliedRevisions(dir);
    expect(await again.get('flt-a-api')).toMatchObject({ revision: 4, specHash: 'h' });
    await again.delete('flt-a-api');
    expect(await new AppliedRevisions(dir).get('flt-a-api')).toBeUndefined();
    expect(await new AppliedRevisions(dir).get('flt-a-web')).toMatchObject({ revision: 1 });
    expect((await stat(path.join(dir, APPLIED_FILE))).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(path.join(dir, APPLIED_FILE), 'utf8'))).toHaveProperty('releases');
  });

  it('refuses a corrupt file with a clear error', async () => {
    await writeFile(path.join(dir, APPLIED_FILE), '{"releases": 3}');
    await expect(new AppliedRevisions(dir).get('x')).rejects.toThrow(/not a valid applied-revisions file; remove it/);
  });
});

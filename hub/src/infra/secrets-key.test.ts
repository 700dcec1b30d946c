import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../logger.js';
import { resolveSecretsKey, SECRETS_KEY_FILE } from './secrets-key.js';

const logger = createLogger('silent', { service: 'test' });
const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'flotilla-secrets-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('resolveSecretsKey', () => {
  it('uses SECRETS_KEY when configured, in either mode', async () => {
    const key = 'k'.repeat(40);
    expect(await resolveSecretsKey({ secretsKey: key, databaseUrl: 'postgres://x', dataDir: '/nonexistent' }, logger)).toBe(key);
    expect(await resolveSecretsKey({ secretsKey: key, databaseUrl: undefined, dataDir: '/nonexistent' }, logger)).toBe(key);
  });

  it('with an external database and no key: none (values stored plain, with a warning)', async () => {
    expect(await resolveSecretsKey({ secretsKey: undefined, databaseUrl: 'postgres://x', dataDir: '/nonexistent' }, logger)).toBeUndefined();
  });

  it('embedded: generates one key under DATA_DIR (owner-only), and the next start reuses it', async () => {
    const dataDir = path.join(await tempDir(), 'data');
    const first = await resolveSecretsKey({ secretsKey: undefined, databaseUrl: undefined, dataDir }, logger);
    expect(first?.length).toBeGreaterThanOrEqual(32);
    const file = path.join(dataDir, SECRETS_KEY_FILE);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await readFile(file, 'utf8')).trim()).toBe(first);
    expect(await resolveSecretsKey({ secretsKey: undefined, databaseUrl: undefined, dataDir }, logger)).toBe(first);
  });

  it('refuses a damaged key file instead of replacing it (that would make stored secrets unreadable)', async () => {
    const dataDir = await tempDir();
    await writeFile(path.join(dataDir, SECRETS_KEY_FILE), 'short\n');
    await expect(resolveSecretsKey({ secretsKey: undefined, databaseUrl: undefined, dataDir }, logger)).rejects.toThrow(/no usable key/);
    expect(await readFile(path.join(dataDir, SECRETS_KEY_FILE), 'utf8')).toBe('short\n');
  });
});

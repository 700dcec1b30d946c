import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { newSecretsKey } from './secret-box.js';

export const SECRETS_KEY_FILE = 'secrets.key';

/**
 * The key that seals secrets at rest. Configured: used as is. Embedded mode (one process, its data under
 * DATA_DIR): generated once and kept beside the database, so `npm start` encrypts with no setup. With an
 * external database and no key, several processes could not agree on a generated one: values are stored
 * plain, and the start says so.
 */
export async function resolveSecretsKey(config: Pick<Config, 'secretsKey' | 'databaseUrl' | 'dataDir'>, logger: Logger): Promise<string | undefined> {
  if (config.secretsKey) return config.secretsKey;
  if (config.databaseUrl) {
    logger.warn('SECRETS_KEY is not set: webhook secrets and license signing keys are stored unencrypted (set the same SECRETS_KEY on every hub process)');
    return undefined;
  }
  const file = path.join(config.dataDir, SECRETS_KEY_FILE);
  const existing = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (existing !== undefined) {
    const key = existing.trim();
    if (key.length < 32) throw new Error(`${file} holds no usable key (fewer than 32 characters): restore it from a backup; deleting it makes the stored secrets unreadable`);
    return key;
  }
  await mkdir(config.dataDir, { recursive: true });
  const key = newSecretsKey();
  // 'wx': never overwrite a key another start wrote meanwhile; 0600: the key is as secret as the data.
  try {
    await writeFile(file, `${key}\n`, { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return resolveSecretsKey(config, logger);
    throw err;
  }
  logger.info({ file }, 'generated the key that encrypts secrets at rest (back it up with the data directory)');
  return key;
}

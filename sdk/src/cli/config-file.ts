import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { CliError, EXIT } from './cli-error.js';

/** What `flotilla login` keeps: the hub and a token. The file holds a secret, so it is 0600 in a 0700 folder. */
export const StoredConfig = z.object({ url: z.url(), token: z.string().min(1), vendorId: z.string().optional() });
export type StoredConfig = z.infer<typeof StoredConfig>;

/** $FLOTILLA_CONFIG, else $XDG_CONFIG_HOME/flotilla/config.json, else ~/.config/flotilla/config.json. */
export function configPath(env: NodeJS.ProcessEnv): string {
  if (env.FLOTILLA_CONFIG) return env.FLOTILLA_CONFIG;
  const base = env.XDG_CONFIG_HOME || path.join(env.HOME || os.homedir(), '.config');
  return path.join(base, 'flotilla', 'config.json');
}

export async function readConfig(file: string): Promise<StoredConfig | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CliError(`${file} is not valid JSON; run \`flotilla login\` again or delete it`, EXIT.failed);
  }
  const parsed = StoredConfig.safeParse(json);
  if (!parsed.success) throw new CliError(`${file} is not a flotilla config (${parsed.error.issues[0]?.message ?? 'invalid'}); run \`flotilla login\` again`, EXIT.failed);
  return parsed.data;
}

export async function writeConfig(file: string, config: StoredConfig): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  // writeFile's mode applies only to a new file: an existing one may have been wider.
  await chmod(file, 0o600);
}

export async function removeConfig(file: string): Promise<boolean> {
  try {
    await rm(file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

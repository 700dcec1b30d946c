import { readFile } from 'node:fs/promises';
import { CliError } from './cli-error.js';

/** A file a flag names, as text; a missing or unreadable one is a usage error naming the flag. */
export async function readFlagFile(file: string, flag: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new CliError(`${flag}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

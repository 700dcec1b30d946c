import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { detectCompose, describeCompose } from './compose-cli.js';
import { failureText, type Exec } from '@flotilla/agent-core';
import { dockerEnvironment } from './project.js';
import { parseSelfCompose, selfComposeFile, withImage } from './self-compose.js';

export interface SelfUpdateIo {
  exec: Exec;
  env: Record<string, string | undefined>;
  out(line: string): void;
}

/**
 * `flotilla-agent-compose self-update-apply --file F --image I`, run by the one-shot updater
 * container from the new image: points the agent's compose file at the new image and runs
 * `compose -p <project> -f F up -d` (v2 plugin, else v1), which replaces the old agent container.
 * Exit 0 done, 1 failed, 2 bad usage.
 */
export async function runSelfUpdateApply(argv: readonly string[], io: SelfUpdateIo): Promise<number> {
  let values: { file?: string; image?: string };
  try {
    ({ values } = parseArgs({ args: [...argv], options: { file: { type: 'string' }, image: { type: 'string' } }, strict: true, allowPositionals: false }));
  } catch (err) {
    io.out(`self-update-apply: ${err instanceof Error ? err.message : String(err)}`);
    return 2;
  }
  const { file, image } = values;
  if (file === undefined || image === undefined || image === '') {
    io.out('self-update-apply: --file and --image are required');
    return 2;
  }
  try {
    const doc = withImage(parseSelfCompose(await readFile(file, 'utf8'), file), image);
    await replaceFile(file, selfComposeFile(doc));
    const env = dockerEnvironment(io.env);
    const cli = await detectCompose(io.exec, { docker: 'docker', dockerComposeV1: 'docker-compose' }, { env, timeoutMs: 60_000 });
    io.out(`updating ${doc.name} to ${image} with ${describeCompose(cli)}`);
    const up = await io.exec(cli.command, [...cli.prefix, '-p', doc.name, '-f', file, 'up', '-d'], { env, timeoutMs: 30 * 60_000 });
    if (up.code !== 0) {
      io.out(`self-update-apply: compose up failed: ${failureText(up)}`);
      return 1;
    }
    io.out(`agent ${doc.name} now runs ${image}`);
    return 0;
  } catch (err) {
    io.out(`self-update-apply: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

async function replaceFile(file: string, text: string): Promise<void> {
  const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, text, { mode: 0o600 });
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

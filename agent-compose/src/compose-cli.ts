import { DriverError } from '@flotilla/agent-core';
import type { Exec, ExecOptions } from '@flotilla/agent-core';

/** How compose is invoked on this host: the v2 plugin (`docker compose`) or v1 (`docker-compose`). */
export interface ComposeCli {
  variant: 'v2' | 'v1';
  command: string;
  /** Arguments before compose's own (`['compose']` for the plugin). */
  prefix: string[];
  version: string;
}

export interface CliBinaries {
  docker: string;
  dockerComposeV1: string;
}

/**
 * Detects compose once: `docker compose version` (v2 plugin) first, then `docker-compose version`
 * (v1, same flags). Throws a DriverError when neither works.
 */
export async function detectCompose(exec: Exec, bins: CliBinaries, options: ExecOptions): Promise<ComposeCli> {
  const v2 = await exec(bins.docker, ['compose', 'version', '--short'], options);
  if (v2.code === 0) {
    return { variant: 'v2', command: bins.docker, prefix: ['compose'], version: firstLine(v2.stdout) };
  }
  const v1 = await exec(bins.dockerComposeV1, ['version', '--short'], options);
  if (v1.code === 0) {
    return { variant: 'v1', command: bins.dockerComposeV1, prefix: [], version: firstLine(v1.stdout) };
  }
  throw new DriverError(
    `neither "${bins.docker} compose" (v2 plugin) nor "${bins.dockerComposeV1}" (v1) is usable: ${lastLines(v2.stderr, 2)} / ${lastLines(v1.stderr, 2)}`,
  );
}

export function describeCompose(cli: ComposeCli): string {
  return cli.variant === 'v2' ? `compose ${withV(cli.version)}` : `docker-compose ${withV(cli.version)}`;
}

/** `docker compose -p P -f F --env-file E <args…>` (or the v1 equivalent). */
export function composeArgs(cli: ComposeCli, project: string, file: string, envFile: string, args: readonly string[]): string[] {
  return [...cli.prefix, '-p', project, '-f', file, '--env-file', envFile, ...args];
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0]?.trim() ?? '';
}

function lastLines(text: string, n: number): string {
  return text.trim().split('\n').slice(-n).join(' ').trim();
}

function withV(version: string): string {
  return version === '' ? '(unknown version)' : version.startsWith('v') ? version : `v${version}`;
}

import { readFileSync } from 'node:fs';
import { z } from 'zod';

const PackageJson = z.object({ version: z.string().min(1) });

let cached: string | undefined;

/** agent-core's own version (read once, lazily, from its package.json). */
export function agentCoreVersion(): string {
  cached ??= readPackageVersion(new URL('../package.json', import.meta.url));
  return cached;
}

/** The `version` of a package.json; used by the agent bins for their handshake version. */
export function readPackageVersion(file: URL | string): string {
  return PackageJson.parse(JSON.parse(readFileSync(file, 'utf8'))).version;
}

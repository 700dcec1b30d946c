import { readPackageVersion } from '@flotilla/agent-core';

/** agent-compose's version (from its package.json, next to dist/). */
export function agentComposeVersion(): string {
  return readPackageVersion(new URL('../package.json', import.meta.url));
}

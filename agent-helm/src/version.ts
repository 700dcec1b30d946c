import { readPackageVersion } from '@flotilla/agent-core';

/** agent-helm's version (from its package.json, next to dist/). */
export function agentHelmVersion(): string {
  return readPackageVersion(new URL('../package.json', import.meta.url));
}

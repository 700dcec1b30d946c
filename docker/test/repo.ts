import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The monorepo root (the images' build context). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DOCKER_DIR = fileURLToPath(new URL('../', import.meta.url));

export function readRepoFile(relative: string): string {
  return readFileSync(new URL(relative, `file://${REPO_ROOT}`), 'utf8');
}

/** Workspace folders listed in the root package.json. */
export function workspaces(): string[] {
  const pkg = JSON.parse(readRepoFile('package.json')) as { workspaces: string[] };
  return pkg.workspaces;
}

export const IMAGES = ['hub', 'agent-compose', 'agent-helm'] as const;

import { execFile } from 'node:child_process';
import { lstat, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/**
 * The repository's bins work after `npm ci && npm run build`: npm links a bin only when its target
 * exists at install time, so each target is a committed shim that imports the built code.
 */
const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const BINS = [
  { name: 'flotilla', pkg: 'sdk', says: 'flotilla <command> [options]' },
  { name: 'flotilla-agent-compose', pkg: 'agent-compose', says: 'flotilla-agent-compose' },
  { name: 'flotilla-agent-helm', pkg: 'agent-helm', says: 'flotilla-agent-helm' },
  { name: 'flotilla-bench', pkg: 'bench', says: 'Scenarios:' },
];

describe('bins after npm ci', { timeout: 60_000 }, () => {
  it.each(BINS)('$name is linked to its committed, executable shim', async ({ name, pkg }) => {
    const link = path.join(ROOT, 'node_modules', '.bin', name);
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    const target = await realpath(link);
    expect(target).toBe(path.join(ROOT, pkg, 'bin', `${name}.js`));
    expect((await stat(target)).mode & 0o111).not.toBe(0);
    const { stdout } = await run('git', ['ls-files', '--stage', '--', path.relative(ROOT, target)], { cwd: ROOT });
    expect(stdout).toMatch(/^100755 /);
  });

  it.each(BINS)('npx $name --help prints its usage and exits 0', async ({ name, says }) => {
    const { stdout } = await run('npx', ['--no-install', name, '--help'], { cwd: ROOT, env: { ...process.env, FLOTILLA_CONFIG: '/nonexistent/config.json' } });
    expect(stdout).toContain(says);
  });

  it('flotilla completes commands and subcommands in bash and zsh', async () => {
    const bin = path.join(ROOT, 'node_modules', '.bin', 'flotilla');
    const bash = await run(bin, ['completion'], { env: { ...process.env, SHELL: '/bin/bash' } });
    expect(bash.stdout).toContain('complete -o bashdefault -o default -F _flotilla_yargs_completions flotilla');
    const zsh = await run(bin, ['completion'], { env: { ...process.env, SHELL: '/bin/zsh' } });
    expect(zsh.stdout).toContain('#compdef flotilla');
    const words = (await run(bin, ['--get-yargs-completions', 'flotilla', 'rollouts', ''])).stdout.split('\n');
    expect(words).toEqual(expect.arrayContaining(['start', 'watch', 'status', 'pause', 'resume', 'abort']));
    const top = (await run(bin, ['--get-yargs-completions', 'flotilla', ''])).stdout.split('\n');
    expect(top).toEqual(expect.arrayContaining(['apps', 'versions', 'tracks', 'releases', 'deploy', 'rollouts', 'installations', 'login']));
  });
});

import { readFileSync } from 'node:fs';
import yargs from 'yargs';
import { EXIT } from './cli-error.js';
import type { RunState } from './command.js';
import type { CliIo, GlobalArgs } from './context.js';
import { appsCommand } from './commands/apps.js';
import { deployCommand } from './commands/deploy.js';
import { installationsCommand } from './commands/installations.js';
import { loginCommand, logoutCommand, whoamiCommand } from './commands/login.js';
import { releasesCommand } from './commands/releases.js';
import { rolloutsCommand } from './commands/rollouts.js';
import { tracksCommand } from './commands/tracks.js';
import { versionsCommand } from './commands/versions.js';
import { supportBundleCommand } from './commands/support-bundles.js';

function sdkVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

const EPILOGUE = `Authentication: FLOTILLA_URL and FLOTILLA_TOKEN (an API token; its scope — viewer, release-manager or admin — limits what it may do), or \`flotilla login\`.
Exit codes: 0 done; 1 refused, unreachable, or a rollout failed or rolled back; 2 a followed rollout paused; 64 bad usage.
Shell completion: flotilla completion >> ~/.bashrc (zsh: SHELL=zsh flotilla completion >> ~/.zshrc).`;

/** Runs the `flotilla` CLI on `argv` (without node and script); resolves with the exit code. */
export async function runCli(argv: readonly string[], io: CliIo & { stdin: NodeJS.ReadableStream & { isTTY?: boolean } }): Promise<number> {
  const state: RunState = { exitCode: EXIT.ok, io };
  // `--version` is the flag of `versions create` and `releases create`; the CLI's own version is `flotilla version` (or a lone --version).
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === 'version')) {
    io.stdout.write(`${sdkVersion()}\n`);
    return EXIT.ok;
  }
  const cli = yargs([...argv])
    .scriptName('flotilla')
    .usage('$0 <command> [options]\n\nShip releases to your customers from a terminal or a CI pipeline.')
    .option('url', { type: 'string', global: true, describe: 'Hub URL (default: FLOTILLA_URL, or the one `flotilla login` stored)' })
    .option('token', { type: 'string', global: true, describe: 'API token (default: FLOTILLA_TOKEN, or the stored one)' })
    .option('vendor', { type: 'string', global: true, describe: 'Vendor id, when the token owner belongs to several (default: FLOTILLA_VENDOR)' })
    .option('output', { alias: 'o', choices: ['text', 'json'] as const, default: 'text' as const, global: true, describe: 'text for people, json for scripts' })
    .command(loginCommand(state, io.stdin))
    .command(logoutCommand(state))
    .command(whoamiCommand(state))
    .command(appsCommand(state))
    .command(versionsCommand(state))
    .command(tracksCommand(state))
    .command(releasesCommand(state))
    .command(deployCommand(state))
    .command(rolloutsCommand(state))
    .command(installationsCommand(state))
    .command(supportBundleCommand(state))
    .completion('completion', 'Print a bash/zsh completion script')
    .demandCommand(1, 'Give a command (see flotilla --help)')
    .recommendCommands()
    .strict()
    .help()
    .alias('help', 'h')
    .version(false)
    .command('version', 'Print the CLI version', () => undefined, () => undefined)
    .epilogue(EPILOGUE)
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .exitProcess(false)
    .fail((msg, err) => {
      // Usage errors only: handlers report their own errors (command.ts).
      const first = state.exitCode !== EXIT.usage;
      io.stderr.write(`flotilla: ${msg ?? err?.message ?? 'bad usage'}\n${first ? 'Run with --help for usage.\n' : ''}`);
      state.exitCode = EXIT.usage;
    });
  await (cli as unknown as { parseAsync(): Promise<GlobalArgs> }).parseAsync();
  return state.exitCode;
}

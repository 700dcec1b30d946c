import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { CliContext, type CliIo, type GlobalArgs } from './context.js';
import { describeError } from './format.js';

/** What one command does; it may answer an exit code (anything else: 0). */
export type Action<A> = (ctx: CliContext, args: ArgumentsCamelCase<A> & GlobalArgs) => Promise<unknown>;

/** Where handlers leave the exit code: yargs' own promise carries no result. */
export interface RunState {
  exitCode: number;
  io: CliIo;
}

/** Builds the yargs handler of an action: its errors become one clear message and an exit code. */
export function handler<A>(state: RunState, action: Action<A>): (args: ArgumentsCamelCase<A> & GlobalArgs) => Promise<void> {
  return async (args) => {
    const ctx = new CliContext(args, state.io);
    try {
      const code = await action(ctx, args);
      state.exitCode = typeof code === 'number' ? code : 0;
    } catch (err) {
      const { message, exitCode } = describeError(err);
      state.io.stderr.write(`flotilla: ${message}\n`);
      state.exitCode = exitCode;
    } finally {
      ctx.close();
    }
  };
}

/** One command: its flags (builder) and what it does. */
export function cmd<A>(state: RunState, command: string, describe: string, builder: (y: Argv<GlobalArgs>) => Argv<A>, action: Action<A>): Command {
  // Erased once here: yargs' types cannot hold commands of different flags in one list.
  return { command, describe, builder, handler: handler(state, action) } as unknown as Command;
}

/** A command as yargs takes it, its own flags erased. */
export type Command = CommandModule<GlobalArgs, GlobalArgs>;

/** A command group (`apps list|create`): its subcommands, one of them required. */
export function group(command: string, describe: string, subcommands: readonly Command[]): Command {
  return {
    command,
    describe,
    builder: (y: Argv<GlobalArgs>) => {
      for (const sub of subcommands) y.command(sub);
      return y.demandCommand(1, `Give a subcommand of flotilla ${command} (see flotilla ${command} --help)`);
    },
    handler: () => undefined,
  };
}

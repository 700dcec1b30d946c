import type { AgentPollResponse, Command, CommandAck, CommandProgress, DesiredState } from '@flotilla/protocol';
import type { Logger } from './logger.js';
import { pollingRefusal } from './poll-policy.js';

export interface PollHandlerDeps {
  /** The same path as a hello ack or a `state:desired` push. */
  acceptDesired(desired: DesiredState): void;
  /** The same command runner as a socket `command` (it skips ids it already handled). */
  takeCommand(command: Command): Promise<CommandAck>;
  /** The command is in the agent's journal (taken before, maybe over the websocket). */
  known(commandId: string): boolean;
  progress(progress: CommandProgress): Promise<boolean>;
  logger: Logger;
}

/**
 * Takes one poll's answer like a hello ack. Polling has no command acks, so a command the agent
 * refuses is reported `failed` with the reason instead (the hub would otherwise hand it over on
 * every poll); a refusal not stored is sent again on the next poll, which brings the command again.
 */
export async function takePoll(response: AgentPollResponse, deps: PollHandlerDeps): Promise<void> {
  if (response.desired !== null) deps.acceptDesired(response.desired);
  for (const command of response.commands) {
    // A command taken before goes to the runner, which dedupes it (or reports its result again).
    const refused = deps.known(command.id) ? undefined : pollingRefusal(command);
    const reason = refused ?? refusal(await deps.takeCommand(command));
    if (reason === undefined) continue;
    deps.logger.warn({ commandId: command.id, type: command.type, reason }, 'command refused over HTTP polling');
    await deps.progress({ id: command.id, status: 'failed', message: `refused by the agent: ${reason}` });
  }
}

function refusal(ack: CommandAck): string | undefined {
  return ack.accepted ? undefined : (ack.reason ?? 'refused');
}

import { storableText, type AgentKind, type Command, type DesiredComponent, type LogsChunk } from '@flotilla/protocol';
import type { Driver } from './driver.js';
import type { JournalEntry } from './command-journal.js';

/** Commands the runner executes; the others reach the agent in other forms. */
export type RunnableType = 'redeploy' | 'restart' | 'rollback' | 'collect-logs' | 'self-update' | 'uninstall';

/** Which optional hooks a driver has (a command whose hook is missing is refused as unsupported). */
export type DriverHooks = Pick<Driver, 'restart' | 'rollback' | 'logs' | 'selfUpdate'>;

const HOOK_OF: Record<Exclude<RunnableType, 'redeploy' | 'uninstall'>, keyof DriverHooks> = {
  restart: 'restart',
  rollback: 'rollback',
  'collect-logs': 'logs',
  'self-update': 'selfUpdate',
};

/** Why the agent cannot take `command`, or undefined when it can. Pure. */
export function refusalReason(command: Command, driver: DriverHooks & { kind: AgentKind }): string | undefined {
  switch (command.type) {
    case 'deploy-stage':
      return 'unsupported: stages arrive as desired-state revisions (state:desired), not as commands';
    case 'uninstall':
      // Every driver can remove what it applied; an uninstall always takes the whole installation.
      return command.targets === undefined ? undefined : 'invalid: uninstall removes the whole installation and takes no targets';
    case 'redeploy':
      return undefined;
    case 'self-update':
      if (command.image === undefined || command.image === '') return 'invalid: self-update needs an image';
      break;
    default:
      break;
  }
  const hook = HOOK_OF[command.type];
  return driver[hook] === undefined ? `unsupported: the ${driver.kind} agent cannot ${command.type}` : undefined;
}

export type ReceiveDecision =
  /** Never seen: take it (journal it, then run it). */
  | { kind: 'accept' }
  /** Running or queued in this process: acknowledge again, do nothing. */
  | { kind: 'in-progress' }
  /** Finished before: acknowledge, and report the result again if the hub has not stored it. */
  | { kind: 'finished'; resend: boolean }
  /** Taken by an earlier process that stopped before finishing: report it failed, never run it twice. */
  | { kind: 'interrupted' };

/** What to do with a command that arrives (again): commands carry ids, and running one twice is a no-op. Pure. */
export function decideReceive(entry: JournalEntry | undefined, activeHere: boolean): ReceiveDecision {
  if (entry === undefined) return { kind: 'accept' };
  if (entry.status === 'succeeded' || entry.status === 'failed') return { kind: 'finished', resend: !entry.reported };
  return activeHere ? { kind: 'in-progress' } : { kind: 'interrupted' };
}

/**
 * The components a command acts on: its targets, or every component the agent runs. Names the agent
 * does not run are an error (the hub checks against the desired state, which may be ahead). Pure.
 */
export function resolveTargets(command: Command, running: readonly DesiredComponent[]): { components: DesiredComponent[] } | { error: string } {
  if (command.targets === undefined) {
    return running.length === 0 ? { error: 'no component is running on this agent yet' } : { components: [...running] };
  }
  const missing = command.targets.filter((t) => !running.some((c) => c.name === t));
  if (missing.length > 0) return { error: `not running on this agent: ${missing.join(', ')}` };
  return { components: running.filter((c) => command.targets?.includes(c.name)) };
}

/** The protocol's limits on one `logs:chunk`. */
export const MAX_CHUNK_LINES = 1000;
export const MAX_LINE_CHARS = 16_000;

/** One component's log lines as protocol-sized chunks (long lines cut). Pure. */
export function logChunks(commandId: string, component: string, lines: readonly string[]): LogsChunk[] {
  const cut = lines.map((l) => storableText(l.length <= MAX_LINE_CHARS ? l : `${l.slice(0, MAX_LINE_CHARS - 1)}…`));
  const chunks: LogsChunk[] = [];
  for (let i = 0; i < cut.length; i += MAX_CHUNK_LINES) chunks.push({ commandId, component, lines: cut.slice(i, i + MAX_CHUNK_LINES) });
  return chunks.length > 0 ? chunks : [{ commandId, component, lines: [] }];
}

import type { Command, CommandAck, CommandProgress, ComponentStatus, DesiredComponent, LogsChunk } from '@flotilla/protocol';
import type { CommandJournal } from './command-journal.js';
import { decideReceive, logChunks, refusalReason, resolveTargets } from './command-plan.js';
import type { Converger } from './converger.js';
import type { Driver, DriverContext } from './driver.js';
import type { Logger } from './logger.js';
import type { Serial } from './serial.js';
import { truncateMessage } from './status.js';

/** How results reach the hub; each resolves true once the hub has stored the event. */
export interface CommandTransport {
  progress(progress: CommandProgress): Promise<boolean>;
  logs(chunk: LogsChunk): Promise<boolean>;
}

export interface CommandRunnerOptions {
  driver: Driver;
  journal: CommandJournal;
  converger: Converger;
  /** Shared with the converger, so command driver calls never overlap an apply. */
  serial: Serial;
  logger: Logger;
  transport: CommandTransport;
  context(): DriverContext;
  /** The statuses reported with a finished command. */
  statuses(): readonly ComponentStatus[];
  /** Called before and after a command changes a component (health sampled meanwhile is stale). */
  onComponentChanging?(name: string): void;
  /** A self-update started the replacement: the agent must make room for it (stop and exit). */
  onReplaced(): void;
}

/** Default tail for collect-logs when the hub sent no `lines`. */
export const DEFAULT_LOG_LINES = 200;

type Outcome = { ok: boolean; message: string };

/**
 * Runs the hub's commands one at a time: acknowledges at once (accepted, or refused with a reason),
 * journals each id before acting on it so a re-delivered command is never run twice, runs it with the
 * driver's hooks (never during an apply), and reports `running` then `succeeded`/`failed` with the
 * driver's error text. A result the hub did not store is sent again after the next hello.
 */
export class CommandRunner {
  private readonly active = new Set<string>();
  private queue: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly opts: CommandRunnerOptions) {}

  /** Takes a command (from a push or a hello); resolves the ack once the decision is durable. */
  async receive(command: Command): Promise<CommandAck> {
    const log = this.opts.logger.child({ commandId: command.id, type: command.type });
    const refusal = refusalReason(command, this.opts.driver);
    const decision = decideReceive(this.opts.journal.get(command.id), this.active.has(command.id));
    if (decision.kind === 'accept' && refusal !== undefined) {
      log.warn({ reason: refusal }, 'command refused');
      return { accepted: false, reason: refusal };
    }
    switch (decision.kind) {
      case 'accept':
        if (this.stopped) return { accepted: false, reason: 'the agent is shutting down' };
        await this.opts.journal.put({ id: command.id, type: command.type, status: 'accepted', reported: false, at: new Date().toISOString() });
        this.active.add(command.id);
        log.info('command accepted');
        this.queue = this.queue.then(() => this.run(command, log));
        break;
      case 'finished':
        log.debug({ resend: decision.resend }, 'command already handled');
        if (decision.resend) void this.report(command.id);
        break;
      case 'interrupted':
        log.warn('command was interrupted by an agent restart; reporting it failed instead of running it again');
        void this.finish(command, { ok: false, message: 'the agent stopped while running this command; it was not run again' }, log);
        break;
      case 'in-progress':
        break;
    }
    return { accepted: true };
  }

  /** Sends results the hub has not stored yet (call after each successful hello). */
  async resendUnreported(): Promise<void> {
    for (const entry of this.opts.journal.unreported()) await this.report(entry.id);
  }

  /** Resolves when every accepted command has finished. */
  async idle(): Promise<void> {
    let seen: Promise<void> | undefined;
    while (seen !== this.queue) {
      seen = this.queue;
      await seen;
    }
  }

  /** Takes no new commands and waits up to `timeoutMs` for the running one. */
  async stop(timeoutMs: number): Promise<void> {
    this.stopped = true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([this.idle(), timeout]);
    clearTimeout(timer);
    await this.opts.journal.flush();
  }

  private async run(command: Command, log: Logger): Promise<void> {
    if (this.stopped) {
      // Left journalled as accepted: the next process reports it interrupted when the hub re-sends it.
      this.active.delete(command.id);
      return;
    }
    await this.opts.journal.update(command.id, { status: 'running' });
    void this.opts.transport.progress({ id: command.id, status: 'running', message: `${command.type} started` });
    let outcome: Outcome;
    try {
      outcome = await this.execute(command, log);
    } catch (err) {
      outcome = { ok: false, message: errorText(err) };
    }
    await this.finish(command, outcome, log);
    if (outcome.ok && command.type === 'self-update') {
      log.info('replacement agent started; stopping so it can take over');
      this.opts.onReplaced();
    }
  }

  private async finish(command: Command, outcome: Outcome, log: Logger): Promise<void> {
    const message = truncateMessage(outcome.message) ?? (outcome.ok ? 'done' : 'failed');
    await this.opts.journal.update(command.id, { status: outcome.ok ? 'succeeded' : 'failed', message, reported: false });
    this.active.delete(command.id);
    if (outcome.ok) log.info({ message }, 'command succeeded');
    else log.error({ error: message }, 'command failed');
    await this.report(command.id);
  }

  /** Sends a finished command's result; marks it reported once the hub stored it. */
  private async report(id: string): Promise<void> {
    const entry = this.opts.journal.get(id);
    if (entry === undefined || (entry.status !== 'succeeded' && entry.status !== 'failed')) return;
    const stored = await this.opts.transport.progress({
      id,
      status: entry.status,
      ...(entry.message === undefined ? {} : { message: entry.message }),
      components: [...this.opts.statuses()],
    });
    if (stored) await this.opts.journal.update(id, { reported: true });
  }

  private async execute(command: Command, log: Logger): Promise<Outcome> {
    const { driver, converger } = this.opts;
    if (command.type === 'self-update') {
      const image = command.image ?? '';
      await this.opts.serial.run(() => (driver.selfUpdate ? driver.selfUpdate(image, this.opts.context()) : unsupported()));
      return { ok: true, message: `replacement agent started with ${image}` };
    }
    if (command.type === 'uninstall') {
      const outcome = await converger.uninstall(command.revision);
      if (!outcome.ok) return outcome;
      return { ok: true, message: outcome.removed.length === 0 ? 'uninstalled: nothing was running' : `uninstalled: removed ${outcome.removed.join(', ')}` };
    }
    const targets = resolveTargets(command, converger.state.components);
    if ('error' in targets) return { ok: false, message: targets.error };
    const names = targets.components.map((c) => c.name).join(', ');
    switch (command.type) {
      case 'redeploy': {
        const outcome = await converger.redeploy(command.targets);
        if (outcome.kind === 'failed') return { ok: false, message: outcome.message };
        if (outcome.kind === 'interrupted') return { ok: false, message: 'interrupted by a newer desired state or a shutdown' };
        return { ok: true, message: `redeployed ${names}` };
      }
      case 'restart':
        await this.eachComponent(targets.components, (c, ctx) => (driver.restart ? driver.restart(c, ctx) : unsupported()));
        return { ok: true, message: `restarted ${names}` };
      case 'rollback':
        await this.eachComponent(targets.components, (c, ctx) => (driver.rollback ? driver.rollback(c, ctx) : unsupported()));
        return { ok: true, message: `rolled back ${names}` };
      case 'collect-logs':
        return this.collectLogs(command, targets.components, log);
      default:
        return { ok: false, message: `unsupported: ${command.type}` };
    }
  }

  /** One driver call per component, each under the shared lock and marked as a change of that component. */
  private async eachComponent(components: readonly DesiredComponent[], fn: (c: DesiredComponent, ctx: DriverContext) => Promise<void>): Promise<void> {
    for (const c of components) {
      await this.opts.serial.run(async () => {
        this.opts.onComponentChanging?.(c.name);
        try {
          await fn(c, this.opts.context());
        } catch (err) {
          throw new Error(`${c.name}: ${errorText(err)}`);
        } finally {
          this.opts.onComponentChanging?.(c.name);
        }
      });
    }
  }

  private async collectLogs(command: Command, components: readonly DesiredComponent[], log: Logger): Promise<Outcome> {
    const { driver } = this.opts;
    const lines = command.lines ?? DEFAULT_LOG_LINES;
    let total = 0;
    for (const [index, c] of components.entries()) {
      const collected = await this.opts.serial.run(() => (driver.logs ? driver.logs(c, lines, this.opts.context()) : unsupported()));
      const chunks = logChunks(command.id, c.name, collected);
      const last = chunks.at(-1);
      if (index === components.length - 1 && last !== undefined) last.done = true;
      for (const chunk of chunks) {
        if (!(await this.opts.transport.logs(chunk))) return { ok: false, message: 'could not deliver the collected logs to the hub' };
      }
      total += collected.length;
    }
    log.debug({ lines: total }, 'logs collected');
    return { ok: true, message: `collected ${total} log lines from ${components.map((c) => c.name).join(', ')}` };
  }
}

/** A hook missing at run time (refusalReason refuses such commands before they are accepted). */
function unsupported(): Promise<never> {
  return Promise.reject(new Error('this driver does not support the command'));
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

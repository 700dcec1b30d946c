import { createAgent, type AgentOptions } from './agent.js';
import { ConfigError, loadConfig, USAGE, wantsHelp, type AgentConfig } from './config.js';
import type { Driver } from './driver.js';
import { runHealthcheck } from './healthcheck-cli.js';
import { startHeartbeat, type HeartbeatWriter } from './heartbeat.js';
import { createLogger, type Logger } from './logger.js';

export interface RunOptions extends AgentOptions {
  /** Signals that stop the agent (default SIGTERM, SIGINT). */
  signals?: NodeJS.Signals[];
  /** The agent is considered stopped after this long even if cleanup is still running (default 9 s). */
  shutdownDeadlineMs?: number;
}

/**
 * Starts an agent and runs it until SIGTERM/SIGINT (or until it asks to exit: a self-update started
 * its replacement), then stops it gracefully within the deadline. Rejects only when the start fails
 * (state unreadable, driver unusable).
 */
export async function runAgent(driver: Driver, config: AgentConfig, logger: Logger, options: RunOptions = {}): Promise<void> {
  const agent = createAgent(driver, config, logger, options);
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  let onSignal: ((signal: NodeJS.Signals) => void) | undefined;
  const stopRequested = new Promise<NodeJS.Signals>((resolve) => {
    onSignal = resolve;
    for (const s of signals) process.once(s, resolve);
  });
  let heartbeat: HeartbeatWriter | undefined;
  try {
    await agent.start();
    heartbeat = startHeartbeat(config.stateDir, () => agent.connected, logger);
    const reason = await Promise.race([stopRequested, agent.exitRequested]);
    logger.info({ reason }, 'shutdown requested');
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        logger.warn('graceful shutdown took too long; exiting anyway');
        resolve();
      }, options.shutdownDeadlineMs ?? 9000);
    });
    await Promise.race([Promise.all([heartbeat.stop(), agent.stop()]), deadline]);
    clearTimeout(timer);
  } catch (err) {
    await Promise.all([heartbeat?.stop(), agent.stop()]);
    throw err;
  } finally {
    if (onSignal !== undefined) for (const s of signals) process.removeListener(s, onSignal);
  }
}

export interface CliOptions extends RunOptions {
  /** The bin's own version, sent in the handshake. */
  agentVersion: string;
  /** Name shown in `--help`. */
  name: string;
  createDriver(config: AgentConfig, logger: Logger): Driver;
  argv?: readonly string[];
  env?: Record<string, string | undefined>;
}

/** Everything a `flotilla-agent-*` bin does: help, configuration, logger, run. Resolves the exit code. */
export async function runAgentCli(options: CliOptions): Promise<number> {
  const argv = options.argv ?? process.argv.slice(2);
  if (argv[0] === 'healthcheck') {
    return runHealthcheck(argv.slice(1), { env: options.env ?? process.env, cwd: process.cwd(), out: (line) => process.stdout.write(`${line}\n`) });
  }
  if (wantsHelp(argv)) {
    process.stdout.write(`${options.name} ${options.agentVersion}\n\n${USAGE}\n`);
    return 0;
  }
  let config: AgentConfig;
  try {
    config = loadConfig(argv, options.env ?? process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${options.name}: ${err.message}\n`);
    return 2;
  }
  const logger = createLogger(config.logLevel, { name: options.name, agentId: config.agentId });
  try {
    await runAgent(options.createDriver(config, logger), config, logger, options);
    return 0;
  } catch (err) {
    logger.fatal({ err }, 'agent could not start');
    return 1;
  }
}

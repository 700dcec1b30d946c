import { runAgentCli, type Logger } from '@flotilla/agent-core';
import { createComposeDriver } from './compose-driver.js';
import { execCommand } from '@flotilla/agent-core';
import { parseSelfCompose, SELF_COMPOSE_ENV, type SelfComposeDocument } from './self-compose.js';
import { runSelfUpdateApply } from './self-update-apply.js';

export interface ComposeCliOptions {
  agentVersion: string;
  argv?: readonly string[];
  env?: Record<string, string | undefined>;
}

/** Everything `flotilla-agent-compose` does: the agent, or the `self-update-apply` step of an updater container. */
export async function composeAgentMain(options: ComposeCliOptions): Promise<number> {
  const argv = options.argv ?? process.argv.slice(2);
  const env = options.env ?? process.env;
  if (argv[0] === 'self-update-apply') {
    return runSelfUpdateApply(argv.slice(1), { exec: execCommand, env, out: (line) => process.stdout.write(`${line}\n`) });
  }
  return runAgentCli({
    name: 'flotilla-agent-compose',
    agentVersion: options.agentVersion,
    argv,
    env,
    createDriver: (config, logger) => createComposeDriver({ stateDir: config.stateDir, logger, ...selfOf(env, logger) }),
  });
}

/** The agent's own compose document from the install manifest; absent or broken → no self-update, said once. */
function selfOf(env: Record<string, string | undefined>, logger: Logger): { self?: SelfComposeDocument } {
  const text = env[SELF_COMPOSE_ENV];
  if (text === undefined || text === '') {
    logger.info(`${SELF_COMPOSE_ENV} is not set (agent not started from the hub's install manifest): self-update is unavailable`);
    return {};
  }
  try {
    return { self: parseSelfCompose(text, SELF_COMPOSE_ENV) };
  } catch (err) {
    logger.error({ err: err instanceof Error ? err.message : String(err) }, 'cannot read the agent compose document: self-update is unavailable');
    return {};
  }
}

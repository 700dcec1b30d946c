#!/usr/bin/env node
import { ConfigError, runAgentCli, wantsHelp } from '@flotilla/agent-core';
import { createHelmDriver } from './helm-driver.js';
import { loadHelmSettings, type HelmAgentSettings } from './settings.js';
import { agentHelmVersion } from './version.js';

const NAME = 'flotilla-agent-helm';

/** agent-helm's own settings, read before the agent starts (not for --help or the healthcheck subcommand). */
function settingsOrExit(): HelmAgentSettings | undefined {
  if (wantsHelp() || process.argv[2] === 'healthcheck') return undefined;
  try {
    return loadHelmSettings(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${NAME}: ${err.message}\n`);
    process.exit(2);
  }
}

const settings = settingsOrExit();
const code = await runAgentCli({
  name: NAME,
  agentVersion: agentHelmVersion(),
  createDriver: (config, logger) => {
    const s = settings ?? loadHelmSettings(process.env);
    return createHelmDriver({
      stateDir: config.stateDir,
      namespace: s.namespace,
      agentDeployment: s.agentDeployment,
      defaultTimeoutSeconds: s.helmTimeoutSeconds,
      logger,
    });
  },
});
process.exit(code);
